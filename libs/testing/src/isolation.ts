import { randomBytes } from 'node:crypto';
import { createDb, type Database } from '@postpulse/db';
import { type ClickHouseClient, sql as chSql, createOlap, ident, migrateOlap } from '@postpulse/olap';
import { connectionEnv, loadStackConfig, type StackConnection } from '@postpulse/stack';
import { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';

export const TEMPLATE_DATABASE = 'postpulse_test_template';

/** Connection variables of the running test stack. */
export const stackEnv = (): StackConnection => connectionEnv(loadStackConfig());

/** A short random suffix that is a valid identifier in every store and a valid Kafka topic part. */
export const uniqueSuffix = (): string => `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

export const uniqueTopic = (base: string): string => `test.${base}.${uniqueSuffix()}`;
export const uniqueGroupId = (base: string): string => `test-${base}-${uniqueSuffix()}`;

export interface TestDatabase {
  db: Kysely<Database>;
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** The stack's Postgres URL with another database name. */
export function databaseUrl(name: string): string {
  return stackEnv().DATABASE_URL.replace(/\/postpulse$/, `/${name}`);
}

/** A fresh, fully migrated Postgres database copied from the template the global setup made. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `test_${uniqueSuffix()}`;
  const admin = createDb({ url: databaseUrl('postgres'), applicationName: 'test-isolation' });
  try {
    await sql`CREATE DATABASE ${sql.id(name)} TEMPLATE ${sql.id(TEMPLATE_DATABASE)}`.execute(admin);
  } finally {
    await admin.destroy();
  }
  const url = databaseUrl(name);
  const db = createDb({ url, applicationName: 'test' });
  return {
    db,
    url,
    name,
    async drop() {
      await db.destroy();
      const cleanup = createDb({ url: databaseUrl('postgres'), applicationName: 'test-isolation' });
      try {
        await sql`DROP DATABASE IF EXISTS ${sql.id(name)} WITH (FORCE)`.execute(cleanup);
      } finally {
        await cleanup.destroy();
      }
    },
  };
}

export interface TestOlap {
  client: ClickHouseClient;
  database: string;
  drop(): Promise<void>;
}

/** A fresh ClickHouse database with every migration applied. */
export async function createTestOlap(opts: { migrate?: boolean } = {}): Promise<TestOlap> {
  const database = `test_${uniqueSuffix()}`;
  const url = stackEnv().CLICKHOUSE_URL;
  const admin = createOlap({ url, database: 'default' });
  await admin.command({ query: chSql`CREATE DATABASE ${ident(database)}`.text });
  const client = createOlap({ url, database });
  if (opts.migrate !== false) await migrateOlap(client);
  return {
    client,
    database,
    async drop() {
      await client.close();
      await admin.command({ query: chSql`DROP DATABASE IF EXISTS ${ident(database)}`.text });
      await admin.close();
    },
  };
}

/** A Redis connection whose keys all live under a prefix of this test's own. */
export function createTestRedis(): { redis: Redis; prefix: string } {
  const prefix = `test:${uniqueSuffix()}:`;
  return { redis: new Redis(stackEnv().REDIS_URL, { keyPrefix: prefix }), prefix };
}
