import { parseConfig } from '@postpulse/config';
import { createDb, migrateToLatest } from '@postpulse/db';
import { createOlap, ident, migrateOlap, sql } from '@postpulse/olap';
import type { Command } from 'commander';
import { type CliConfig, cliConfigSchema } from '../config.js';

/** Postgres first, then ClickHouse (creating its database if needed); prints what it applied. */
export async function runMigrations(cfg: CliConfig): Promise<void> {
  const db = createDb({ url: cfg.DATABASE_URL, applicationName: 'postpulse-migrate' });
  try {
    const results = await migrateToLatest(db);
    console.log(
      `postgres: ${results.length ? results.map((r) => r.migrationName).join(', ') : 'up to date'}`,
    );
  } finally {
    await db.destroy();
  }
  const server = createOlap({ url: cfg.CLICKHOUSE_URL, database: 'default' });
  const olap = createOlap({ url: cfg.CLICKHOUSE_URL, database: cfg.CLICKHOUSE_DATABASE });
  try {
    await server.command({
      query: sql`CREATE DATABASE IF NOT EXISTS ${ident(cfg.CLICKHOUSE_DATABASE)}`.text,
    });
    const applied = await migrateOlap(olap);
    console.log(`clickhouse: ${applied.length ? applied.join(', ') : 'up to date'}`);
  } finally {
    await Promise.all([server.close(), olap.close()]);
  }
}

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description(
      'apply pending Postgres and ClickHouse migrations (DATABASE_URL, CLICKHOUSE_URL, CLICKHOUSE_DATABASE)',
    )
    .action(() => runMigrations(parseConfig(cliConfigSchema)));
}
