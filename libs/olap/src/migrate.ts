import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import { sql } from './sql.js';

export const olapMigrationFolder = fileURLToPath(new URL('../migrations', import.meta.url));

/** `0001_create_post_metrics_v1.sql`: a zero-padded sequence number, then a name. */
const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface OlapMigration {
  version: string;
  name: string;
  statements: string[];
}

/** Statements are separated by a line that ends in `;` (ClickHouse's HTTP interface takes one at a time). */
export function loadOlapMigrations(folder = olapMigrationFolder): OlapMigration[] {
  return readdirSync(folder)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const match = FILE.exec(file);
      if (!match?.[1] || !match[2])
        throw new Error(`ClickHouse migration ${file} is not named NNNN_name.sql`);
      const text = readFileSync(`${folder}/${file}`, 'utf8');
      const statements = text
        .split(/;\s*$/m)
        .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
        .filter(Boolean);
      return { version: match[1], name: match[2], statements };
    });
}

/** Applies pending migrations in order and records each; returns the versions it applied. */
export async function migrateOlap(client: ClickHouseClient, folder = olapMigrationFolder): Promise<string[]> {
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations (version String, name String, applied_at DateTime)
            ENGINE = MergeTree ORDER BY version`,
  });
  const rows = await (
    await client.query({ query: 'SELECT version FROM schema_migrations', format: 'JSONEachRow' })
  ).json<{
    version: string;
  }>();
  const applied = new Set(rows.map((r) => r.version));
  const done: string[] = [];
  for (const migration of loadOlapMigrations(folder)) {
    if (applied.has(migration.version)) continue;
    for (const statement of migration.statements) {
      try {
        await client.command({ query: statement });
      } catch (error) {
        throw new Error(
          `ClickHouse migration ${migration.version}_${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
    }
    await client.command({
      query:
        sql`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${migration.version}, ${migration.name}, now())`
          .text,
    });
    done.push(migration.version);
  }
  return done;
}
