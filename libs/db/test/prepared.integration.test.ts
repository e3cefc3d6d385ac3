import { createTestDatabase, type TestDatabase } from '@postpulse/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Database, MAX_PREPARED_PER_CONNECTION } from '../src/index.js';

let t: TestDatabase;
let db: Kysely<Database>;
beforeAll(async () => {
  t = await createTestDatabase();
  // One connection, so pg_prepared_statements (which is per connection) sees every statement it ran.
  db = createDb({ url: t.url, applicationName: 'test-prepared', maxConnections: 1, prepareStatements: true });
});
afterAll(async () => {
  await db.destroy();
  await t.drop();
});

const preparedTexts = async () =>
  (await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(db)).rows.map(
    (r) => r.statement,
  );

describe('prepared statements (createDb with prepareStatements)', () => {
  it('prepares a statement with parameters once per connection and reuses it', async () => {
    const text = 'SELECT $1::int + 1 AS n';
    for (const n of [1, 2, 3]) {
      const { rows } = await sql<{ n: number }>`SELECT ${n}::int + 1 AS n`.execute(db);
      expect(rows[0]?.n).toBe(n + 1);
    }
    expect((await preparedTexts()).filter((s) => s === text)).toHaveLength(1);
  });

  it('runs statements without parameters unprepared, so several commands in one text still work', async () => {
    await sql.raw('CREATE TABLE prepared_probe (id int); DROP TABLE prepared_probe').execute(db);
    expect((await preparedTexts()).some((s) => s.includes('prepared_probe'))).toBe(false);
  });

  it('prepares anew when a migration changed the columns a prepared SELECT returns', async () => {
    await sql`CREATE TABLE widened (id int)`.execute(db);
    await sql`INSERT INTO widened VALUES (1)`.execute(db);
    const read = () =>
      db
        .selectFrom('widened' as never)
        .selectAll()
        .where('id' as never, '=', 1 as never)
        .execute();
    expect(await read()).toEqual([{ id: 1 }]);
    await sql`ALTER TABLE widened ADD COLUMN label text DEFAULT 'x'`.execute(db);
    // Unhandled, Postgres answers "cached plan must not change result type" to every later execution.
    expect(await read()).toEqual([{ id: 1, label: 'x' }]);
    expect(await read()).toEqual([{ id: 1, label: 'x' }]);
  });

  it(`keeps at most ${MAX_PREPARED_PER_CONNECTION} statements per connection and runs the rest unnamed`, async () => {
    for (let i = 0; i < MAX_PREPARED_PER_CONNECTION + 20; i++) {
      const { rows } = await sql<{ n: number }>`SELECT ${i}::int AS n, ${sql.lit(i)} AS k`.execute(db);
      expect(rows[0]?.n).toBe(i);
    }
    expect((await preparedTexts()).length).toBe(MAX_PREPARED_PER_CONNECTION);
  });
});
