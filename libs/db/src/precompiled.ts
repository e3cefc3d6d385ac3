import { createQueryId, PostgresQueryCompiler, type RawBuilder, sql } from 'kysely';

/**
 * A fragment without parameters, compiled to SQL once and kept as one raw string. Kysely compiles every
 * identifier and expression of a statement each time it runs it; for the dashboard's wide column lists
 * that was most of the Node time of building a statement (≈ 0.6 ms of an overview).
 */
export function precompiled(fragment: RawBuilder<unknown>): RawBuilder<unknown> {
  const compiled = new PostgresQueryCompiler().compileQuery(fragment.toOperationNode(), createQueryId());
  if (compiled.parameters.length > 0) throw new Error('a precompiled fragment must not have parameters');
  return sql.raw(compiled.sql);
}

// A private-use character marks a slot: no SQL we write contains one.
const SLOT = /\uE000(\d+)\uE000/;

/**
 * A fragment with values, compiled once: `build` runs once with a placeholder for each of its arguments,
 * its SQL is kept as the text between them, and each call makes one raw node of that text and its
 * values (bound as parameters; fragments are inlined). Kysely otherwise visits every node of a
 * statement's tree on every run, and building and compiling an overview's statement was ≈ 0.4 ms of the
 * API's CPU. `build` must depend on nothing but its arguments.
 */
export function precompiledWith<A extends unknown[]>(
  build: (...slots: RawBuilder<unknown>[]) => RawBuilder<unknown>,
): (...args: A) => RawBuilder<unknown> {
  const slots = Array.from({ length: build.length }, (_, i) => sql.raw(`\uE000${i}\uE000`));
  const compiled = new PostgresQueryCompiler().compileQuery(
    build(...slots).toOperationNode(),
    createQueryId(),
  );
  if (compiled.parameters.length > 0)
    throw new Error('a precompiled fragment must take its values as arguments');
  const parts = compiled.sql.split(SLOT);
  // split() with a capturing group alternates text and slot numbers: text, n, text, n, …, text.
  const fragments = Object.freeze(parts.filter((_, i) => i % 2 === 0));
  const order = parts.filter((_, i) => i % 2 === 1).map(Number);
  return (...args) => sql(fragments as unknown as TemplateStringsArray, ...order.map((i) => args[i]));
}

/** `make(key)` computed once per key: for fragments that vary only by a few keys fixed in the code. */
export function oncePerKey<T>(make: (key: string) => T): (key: string) => T {
  const known = new Map<string, T>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      value = make(key);
      known.set(key, value);
    }
    return value;
  };
}
