import { randomUUID } from 'node:crypto';
import {
  dropExpiredSnapshotPartitions,
  ensureMonthlyPartitions,
  listMonthlyPartitions,
  rebuildFollowerHours,
} from '@postpulse/db';
import { dropExpiredOlapPartitions } from '@postpulse/olap';
import { createTestDatabase, createTestOlap, type TestDatabase, type TestOlap } from '@postpulse/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chRows } from './harness.js';

let pg: TestDatabase;
let olap: TestOlap;
beforeAll(async () => {
  [pg, olap] = await Promise.all([createTestDatabase(), createTestOlap()]);
});
afterAll(() => Promise.all([pg.drop(), olap.drop()]));

const now = new Date('2026-11-22T12:00:00Z');

it('drops only Postgres snapshot partitions whose whole month is older than the retention days', async () => {
  await ensureMonthlyPartitions(pg.db, 'post_metric_snapshots', [202607, 202608, 202609, 202611]);
  await ensureMonthlyPartitions(pg.db, 'account_metric_snapshots', [202607, 202611]);
  const tenant = randomUUID();
  for (const observed of ['2026-07-31T23:59:59Z', '2026-08-25T00:00:00Z', '2026-11-01T00:00:00Z']) {
    await sql`INSERT INTO post_metric_snapshots (tenant_id, platform, platform_post_id, observed_at, event_id, account_id)
      VALUES (${tenant}, 'linkedin', 'p1', ${observed}, ${randomUUID()}, 'a')`.execute(pg.db);
  }
  for (const observed of ['2026-07-31T23:00:00Z', '2026-11-01T00:00:00Z']) {
    await sql`INSERT INTO account_metric_snapshots (tenant_id, platform, account_id, observed_at, event_id, followers_count)
      VALUES (${tenant}, 'linkedin', 'a', ${observed}, ${randomUUID()}, 7)`.execute(pg.db);
  }
  await rebuildFollowerHours(pg.db);
  // 90 days before 2026-11-22 is 2026-08-24: July ended before it, August did not.
  const dropped = await dropExpiredSnapshotPartitions(pg.db, 90, now);
  expect(dropped.sort()).toEqual(['account_metric_snapshots_p202607', 'post_metric_snapshots_p202607']);
  expect((await listMonthlyPartitions(pg.db, 'post_metric_snapshots')).map((p) => p.month).sort()).toEqual([
    202608, 202609, 202611,
  ]);
  const left = await pg.db
    .selectFrom('post_metric_snapshots')
    .select('observed_at')
    .orderBy('observed_at')
    .execute();
  expect(left.map((r) => r.observed_at.toISOString())).toEqual([
    '2026-08-25T00:00:00.000Z',
    '2026-11-01T00:00:00.000Z',
  ]);
  // The accounts' hourly follower summary of the dropped month goes with it.
  const hours = await pg.db.selectFrom('account_followers_hourly').select('hour').execute();
  expect(hours.map((r) => r.hour.toISOString())).toEqual(['2026-11-01T00:00:00.000Z']);
});

it('refuses to run when a DEFAULT partition could hide rows from retention', async () => {
  await sql`CREATE TABLE account_metric_snapshots_default PARTITION OF account_metric_snapshots DEFAULT`.execute(
    pg.db,
  );
  try {
    await expect(dropExpiredSnapshotPartitions(pg.db, 90, now)).rejects.toThrow(
      /account_metric_snapshots_default/,
    );
  } finally {
    await sql`DROP TABLE account_metric_snapshots_default`.execute(pg.db);
  }
});

it('drops ClickHouse partitions older than the retention months and keeps the rest', async () => {
  const tenant = randomUUID();
  for (const hour of ['2025-09-30 23:00:00', '2025-10-01 00:00:00', '2026-11-22 10:00:00']) {
    await olap.client.insert({
      table: 'account_metrics_hourly_v1',
      format: 'JSONEachRow',
      values: [
        {
          tenant_id: tenant,
          platform: 'x',
          account_id: 'a',
          hour,
          observed_at: hour,
          version: 1,
          followers_count: 1,
        },
      ],
    });
  }
  // 13 months before November 2026 is October 2025: September 2025 goes, October 2025 stays.
  expect(await dropExpiredOlapPartitions(olap.client, 13, now)).toEqual(['account_metrics_hourly_v1:202509']);
  const rows = await chRows<{ hour: string }>(
    olap,
    'SELECT toString(hour) AS hour FROM account_metrics_hourly_v1 ORDER BY hour',
  );
  expect(rows.map((r) => r.hour)).toEqual(['2025-10-01 00:00:00', '2026-11-22 10:00:00']);
});
