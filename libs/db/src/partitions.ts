import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

/** Tables partitioned by month of `observed_at`; their partitions are named `<table>_pYYYYMM`. */
export const monthlyPartitionedTables = ['post_metric_snapshots', 'account_metric_snapshots'] as const;
export type MonthlyPartitionedTable = (typeof monthlyPartitionedTables)[number];

/** `202611` for any instant in November 2026 UTC. */
export function monthKey(instant: Date): number {
  return instant.getUTCFullYear() * 100 + instant.getUTCMonth() + 1;
}

export function monthStart(key: number): Date {
  return new Date(Date.UTC(Math.floor(key / 100), (key % 100) - 1, 1));
}

function nextMonth(key: number): number {
  const d = monthStart(key);
  return monthKey(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)));
}

export function partitionName(table: MonthlyPartitionedTable, key: number): string {
  return `${table}_p${key}`;
}

/**
 * Creates the monthly partitions that rows with these months need. Another writer may create the same
 * partition at the same moment; `IF NOT EXISTS` still races in the catalog, so "already exists" is
 * treated as success.
 */
export async function ensureMonthlyPartitions(
  db: Kysely<Database>,
  table: MonthlyPartitionedTable,
  months: Iterable<number>,
): Promise<void> {
  for (const key of months) {
    const from = monthStart(key).toISOString();
    const to = monthStart(nextMonth(key)).toISOString();
    try {
      await sql`CREATE TABLE IF NOT EXISTS ${sql.id(partitionName(table, key))}
        PARTITION OF ${sql.id(table)} FOR VALUES FROM (${sql.lit(from)}) TO (${sql.lit(to)})`.execute(db);
    } catch (error) {
      const code = (error as { code?: string }).code;
      // 42P07 duplicate_table; 23505 a concurrent catalog insert of the same name.
      if (code !== '42P07' && code !== '23505') throw error;
    }
  }
}

export interface PartitionInfo {
  table: MonthlyPartitionedTable;
  name: string;
  month: number;
}

/** Every partition attached to the table; a partition not named by our rule is an error, not ignored. */
export async function listMonthlyPartitions(
  db: Kysely<Database>,
  table: MonthlyPartitionedTable,
): Promise<PartitionInfo[]> {
  const { rows } = await sql<{ name: string; is_default: boolean }>`
    SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' AS is_default
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = ${table} AND p.relnamespace = current_schema()::regnamespace`.execute(db);
  const pattern = new RegExp(`^${table}_p(\\d{6})$`);
  return rows.map((r) => {
    const match = pattern.exec(r.name);
    if (r.is_default || !match?.[1]) {
      // Rows in a DEFAULT or odd partition would escape retention silently.
      throw new Error(`unexpected partition ${r.name} of ${table}: retention cannot account for it`);
    }
    return { table, name: r.name, month: Number(match[1]) };
  });
}

/**
 * Drops the partitions whose whole month ended before `now - retentionDays`, so no row younger than
 * the retention period is ever dropped (rows up to a month older may stay until their month is due).
 */
export async function dropExpiredSnapshotPartitions(
  db: Kysely<Database>,
  retentionDays: number,
  now = new Date(),
): Promise<string[]> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const dropped: string[] = [];
  for (const table of monthlyPartitionedTables) {
    for (const p of await listMonthlyPartitions(db, table)) {
      if (monthStart(nextMonth(p.month)) > cutoff) continue;
      await db.transaction().execute(async (trx) => {
        await sql`DROP TABLE ${sql.id(p.name)}`.execute(trx);
        if (table === 'account_metric_snapshots') {
          // The hourly summary of those snapshots goes with them, in the same transaction: a crash between
          // the two would leave summary hours that no later run revisits.
          await sql`DELETE FROM account_followers_hourly
            WHERE hour >= ${monthStart(p.month)} AND hour < ${monthStart(nextMonth(p.month))}`.execute(trx);
        }
      });
      dropped.push(p.name);
    }
  }
  return dropped;
}
