import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { ident, sql } from './sql.js';

/** Tables partitioned by `toYYYYMM(hour)` that retention prunes. */
export const monthlyPartitionedOlapTables = ['post_metrics_hourly_v1', 'account_metrics_hourly_v1'] as const;

const monthOf = (d: Date) => d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;

/**
 * Drops the monthly partitions whose whole month ended more than `retentionMonths` months before
 * `now`'s month began; the current month plus `retentionMonths` full months always stay.
 */
export async function dropExpiredOlapPartitions(
  client: ClickHouseClient,
  retentionMonths: number,
  now = new Date(),
): Promise<string[]> {
  const months = z.number().int().min(1).parse(retentionMonths);
  const oldestKept = monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1)));
  const dropped: string[] = [];
  for (const table of monthlyPartitionedOlapTables) {
    const parts = await (
      await client.query({
        query: sql`SELECT DISTINCT partition FROM system.parts
                   WHERE database = currentDatabase() AND table = ${table} AND active`.text,
        format: 'JSONEachRow',
      })
    ).json<{ partition: string }>();
    for (const { partition } of parts) {
      const month = z.coerce.number().int().parse(partition);
      if (month >= oldestKept) continue;
      await client.command({ query: sql`ALTER TABLE ${ident(table)} DROP PARTITION ${month}`.text });
      dropped.push(`${table}:${month}`);
    }
  }
  return dropped;
}
