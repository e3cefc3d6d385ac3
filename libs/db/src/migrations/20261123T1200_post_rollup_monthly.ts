import { type Kysely, sql } from 'kysely';
import { utcMonth } from '../post-analytics.js';
import { rebuildPostAnalytics } from '../rebuild.js';

// A year's totals per platform summed about 1,450 daily rows (a year's overview: ≈ 1.8 of its statement's
// 5.3 ms of Postgres). The aggregator now also keeps the same sums per UTC month: a period reads its whole
// UTC months here, its other whole days from the daily rollup and the hours at its two ends from the
// hourly one. The columns are the daily rollup's, with `day` renamed to `month`.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE post_rollup_monthly (LIKE post_rollup_daily INCLUDING DEFAULTS) WITH (fillfactor = 80)`.execute(
    db,
  );
  await sql`ALTER TABLE post_rollup_monthly RENAME COLUMN day TO month`.execute(db);
  await sql`ALTER TABLE post_rollup_monthly
    ADD CONSTRAINT post_rollup_monthly_month_check CHECK (month = ${utcMonth(sql`month`)}),
    ADD PRIMARY KEY (tenant_id, month, platform)`.execute(db);
  // rebuildPostAnalytics works on the newest schema, so only the newest migration that needs it calls it.
  await rebuildPostAnalytics(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE post_rollup_monthly`.execute(db);
}
