import { createHash, randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@postpulse/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, createMigrator } from '../src/index.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

describe('postgres migrations', () => {
  it('has every migration applied in the test database', async () => {
    const migrations = await createMigrator(t.db).getMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.every((m) => m.executedAt instanceof Date)).toBe(true);
  });

  it('round-trips a tenant and a hashed API key', async () => {
    const tenant = await t.db
      .insertInto('tenants')
      .values({ name: 'Acme', timezone: 'Europe/Berlin' })
      .returningAll()
      .executeTakeFirstOrThrow();
    const key = `pp_${randomBytes(24).toString('base64url')}`;
    const keyHash = createHash('sha256').update(key).digest();
    await t.db
      .insertInto('api_keys')
      .values({
        tenant_id: tenant.id,
        prefix: key.slice(0, 10),
        key_hash: keyHash,
        scopes: ['read'],
        name: null,
        revoked_at: null,
        last_used_at: null,
      })
      .execute();
    const found = await t.db
      .selectFrom('api_keys')
      .innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id')
      .select(['tenants.name', 'tenants.timezone', 'api_keys.scopes', 'api_keys.key_hash'])
      .where('api_keys.key_hash', '=', keyHash)
      .executeTakeFirstOrThrow();
    expect(found).toMatchObject({ name: 'Acme', timezone: 'Europe/Berlin', scopes: ['read'] });
    expect(found.key_hash.equals(keyHash)).toBe(true);
  });

  it('rejects unknown scopes and keys that are not SHA-256 hashes', async () => {
    const tenant = await t.db
      .insertInto('tenants')
      .values({ name: 'Beta', timezone: 'UTC' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const row = { tenant_id: tenant.id, prefix: 'pp_x', name: null, revoked_at: null, last_used_at: null };
    await expect(
      t.db
        .insertInto('api_keys')
        .values({ ...row, key_hash: randomBytes(32), scopes: ['admin'] })
        .execute(),
    ).rejects.toThrow(/check constraint/);
    await expect(
      t.db
        .insertInto('api_keys')
        .values({ ...row, key_hash: Buffer.from('plain-text-key'), scopes: ['read'] })
        .execute(),
    ).rejects.toThrow(/check constraint/);
  });
});

describe('generic plans', () => {
  const prepared = sql<{
    statement: string;
    generic_plans: number;
    custom_plans: number;
  }>`SELECT statement, generic_plans::int, custom_plans::int FROM pg_prepared_statements`;

  it('prepares each statement once per connection and reuses one generic plan', async () => {
    const db = createDb({ url: t.url, applicationName: 'test', maxConnections: 1, genericPlans: true });
    try {
      const byName = (name: string) =>
        sql<{ n: number }>`SELECT count(*)::int AS n FROM tenants WHERE name = ${name}`.execute(db);
      for (const name of ['a', 'b', 'c']) expect((await byName(name)).rows[0]?.n).toBe(0);
      const { rows } = await prepared.execute(db);
      const mine = rows.filter((r) => r.statement.includes('FROM tenants WHERE name'));
      expect(mine).toEqual([expect.objectContaining({ generic_plans: 3, custom_plans: 0 })]);
    } finally {
      await db.destroy();
    }
  });

  it('leaves statements unprepared and planned per run by default', async () => {
    const db = createDb({ url: t.url, applicationName: 'test', maxConnections: 1 });
    try {
      await sql`SELECT count(*) FROM tenants WHERE name = ${'a'}`.execute(db);
      expect((await prepared.execute(db)).rows).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});
