import { type Kysely, sql } from 'kysely';
import { contentRollupRowsOf, contentRollupWrites } from './content-rollup.js';
import { refreshDayHours } from './day-hours.js';
import { upsertFollowerHours } from './follower-hours.js';
import {
  addGains,
  allPlatforms,
  latestPostColumns,
  latestPostRow,
  raiseFreshness,
  rollupContribution,
  rollupWrites,
  utcDay,
  utcHour,
} from './post-analytics.js';

/** Runs `fn` in the caller's transaction (a migration's) or in a new one. */
const inTransaction = <DB>(db: Kysely<DB>, fn: (trx: Kysely<DB>) => Promise<void>) =>
  db.isTransaction ? fn(db) : db.transaction().execute(fn);

/**
 * Rebuilds every analytics table from `posts` and `post_metrics_latest` (and the latest rows' copies of
 * their post's columns, `latestPostColumns`): for the newest migration that changed them, for data
 * written straight into those tables (the query benchmark's seed), and to repair a rollup after anything
 * wrote around the aggregator. Rows are written in key order, so a tenant's consecutive hours share
 * pages.
 */
export async function rebuildPostAnalytics<DB>(db: Kysely<DB>): Promise<void> {
  await inTransaction(db, async (trx) => {
    await sql`UPDATE post_metrics_latest l SET ${sql.join(
      latestPostColumns.map((c) => sql`${sql.id(c)} = p.${sql.id(c)}`),
    )} FROM posts p
      WHERE l.tenant_id = p.tenant_id AND l.platform = p.platform AND l.platform_post_id = p.platform_post_id
        AND (${latestPostRow('l')}) IS DISTINCT FROM (${latestPostRow('p')})`.execute(trx);
    await sql`TRUNCATE post_rollup_hourly, post_rollup_daily, post_rollup_monthly, post_rollup_day_hours,
      post_content_rollup_daily, post_freshness`.execute(trx);
    await sql`${raiseFreshness(sql`post_metrics_latest`)}`.execute(trx);
    await sql`WITH ${rollupWrites(sql`(
      SELECT l.tenant_id, l.platform, ${utcHour(sql`l.published_at`)} AS hour, ${rollupContribution('l')}
      FROM post_metrics_latest l WHERE l.published_at IS NOT NULL)`)} SELECT 1`.execute(trx);
    await refreshDayHours(
      sql`(SELECT DISTINCT tenant_id, ${utcDay(sql`hour`)} AS day FROM post_rollup_hourly WHERE platform = ${allPlatforms})`,
    ).execute(trx);
    await sql`WITH ${contentRollupWrites(sql`(${contentRollupRowsOf(sql`post_metrics_latest`, 'l')})`)} SELECT 1`.execute(
      trx,
    );
    await sql`ANALYZE post_metrics_latest, post_rollup_hourly, post_rollup_daily, post_rollup_monthly,
      post_rollup_day_hours, post_content_rollup_daily`.execute(trx);
  });
}

/**
 * Rebuilds `post_gains_hourly` from the snapshot history in Postgres. It reaches back only as far as the
 * history is retained, so it serves the migration that introduced the table and tests; the aggregator
 * keeps the table as it writes.
 */
export async function rebuildPostGains<DB>(db: Kysely<DB>): Promise<void> {
  await inTransaction(db, async (trx) => {
    await sql`TRUNCATE post_gains_hourly`.execute(trx);
    await sql`${addGains(sql`(SELECT s.*, true AS counted FROM post_metric_snapshots s)`)}`.execute(trx);
    await sql`ANALYZE post_gains_hourly`.execute(trx);
  });
}

/** Rebuilds `account_followers_hourly` from the snapshots (its migration; also how a test checks live writes). */
export async function rebuildFollowerHours<DB>(db: Kysely<DB>): Promise<void> {
  await inTransaction(db, async (trx) => {
    await sql`TRUNCATE account_followers_hourly`.execute(trx);
    await upsertFollowerHours(sql`SELECT * FROM account_metric_snapshots`).execute(trx);
  });
}
