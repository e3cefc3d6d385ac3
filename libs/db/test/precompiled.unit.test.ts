import { createQueryId, PostgresQueryCompiler, type RawBuilder, sql } from 'kysely';
import { expect, it } from 'vitest';
import { precompiledWith } from '../src/precompiled.js';

const compile = (fragment: RawBuilder<unknown>) =>
  new PostgresQueryCompiler().compileQuery(fragment.toOperationNode(), createQueryId());

it('compiles a fragment once and binds each call’s values where its arguments were, in order', () => {
  type Slot = RawBuilder<unknown>;
  const build = (tenant: Slot, day: Slot, filter: Slot) =>
    sql`SELECT ${sql.ref('r.v')} FROM r WHERE r.tenant_id = ${tenant} ${filter}
      AND r.day >= ${day} AND r.day < ${day} + interval '1 day'`;
  const fragment = precompiledWith(build);
  const day = new Date('2026-03-01T00:00:00Z');
  const made = compile(fragment('t1', day, sql`AND r.platform = ${'x'}`));
  // The same statement as building it per call, values and all.
  const direct = compile(build(sql`${'t1'}`, sql`${day}`, sql`AND r.platform = ${'x'}`));
  expect(made.sql).toBe(direct.sql);
  expect(made.parameters).toEqual(['t1', 'x', day, day]);
  expect(compile(fragment('t2', day, sql``)).parameters).toEqual(['t2', day, day]);
});

it('refuses a fragment with values of its own', () => {
  expect(() => precompiledWith((a: RawBuilder<unknown>) => sql`SELECT ${a}, ${1}`)).toThrow(/arguments/);
});
