import { type Kysely, type RawBuilder, sql } from 'kysely';

/**
 * What analytics need of one post, from its latest totals in the row alias `l`: the raw totals plus
 * `engagements` (null only when likes, comments and shares are all unknown), and the engagement and
 * click-through rate parts, counted only when impressions are known (> 0), so Σer_num / Σer_den is the
 * engagement rate over the posts whose impressions are known. Written once, here: the hourly rollup and
 * the query API's per-post reads both use it.
 */
export function postMeasures(l: string): RawBuilder<unknown> {
  const c = (name: string) => sql.ref(`${l}.${name}`);
  const engagements = sql`coalesce(${c('likes_count')}, 0) + coalesce(${c('comments_count')}, 0) + coalesce(${c('shares_count')}, 0)`;
  return sql`${c('impressions')} AS impressions, ${c('reach')} AS reach, ${c('clicks')} AS clicks,
    ${c('likes_count')} AS likes_count, ${c('comments_count')} AS comments_count, ${c('shares_count')} AS shares_count,
    CASE WHEN ${c('likes_count')} IS NULL AND ${c('comments_count')} IS NULL AND ${c('shares_count')} IS NULL
         THEN NULL ELSE ${engagements} END AS engagements,
    CASE WHEN ${c('impressions')} > 0 THEN ${engagements} END AS er_num,
    CASE WHEN ${c('impressions')} > 0 THEN ${c('impressions')} END AS er_den,
    CASE WHEN ${c('impressions')} > 0 AND ${c('clicks')} IS NOT NULL THEN ${c('clicks')} END AS ctr_num,
    CASE WHEN ${c('impressions')} > 0 AND ${c('clicks')} IS NOT NULL THEN ${c('impressions')} END AS ctr_den`;
}

/**
 * Per-post measures summed into one rollup row (or any group). `k` counts the posts with known
 * impressions and `e2`, `n2`, `en` are the sums the ratio confidence interval needs (Σer_num², Σer_den²,
 * Σer_num·er_den); `max_er` is the highest engagement rate of one post (as a fraction), so a ranking of posts
 * only needs to open the hours that can hold its winners. Sums of nullable columns stay null when no post
 * reported the metric. `post` is a column that is never null for a post, so a group that lost its last post
 * counts 0.
 */
export const rollupSums = sql`
  count(post)::int AS posts,
  sum(likes_count)::bigint AS likes_count, sum(comments_count)::bigint AS comments_count,
  sum(shares_count)::bigint AS shares_count, sum(impressions)::bigint AS impressions,
  sum(reach)::bigint AS reach, sum(clicks)::bigint AS clicks, sum(engagements)::bigint AS engagements,
  sum(er_num)::bigint AS er_num, sum(er_den)::bigint AS er_den,
  sum(ctr_num)::bigint AS ctr_num, sum(ctr_den)::bigint AS ctr_den,
  count(er_den)::int AS k,
  sum(er_num::float8 * er_num)::float8 AS e2, sum(er_den::float8 * er_den)::float8 AS n2,
  sum(er_num::float8 * er_den)::float8 AS en, max(er_num::float8 / er_den) AS max_er`;

export const rollupColumns = [
  'posts',
  'likes_count',
  'comments_count',
  'shares_count',
  'impressions',
  'reach',
  'clicks',
  'engagements',
  'er_num',
  'er_den',
  'ctr_num',
  'ctr_den',
  'k',
  'e2',
  'n2',
  'en',
  'max_er',
] as const;

/** The UTC hour an instant falls in, whatever the session's TimeZone (date_trunc would use it). */
export const utcHour = (expr: RawBuilder<unknown>) =>
  sql`date_bin('1 hour', ${expr}, timestamptz '2000-01-01 00:00:00+00')`;

/** Runs `fn` in the caller's transaction (a migration's) or in a new one. */
const inTransaction = <DB>(db: Kysely<DB>, fn: (trx: Kysely<DB>) => Promise<void>) =>
  db.isTransaction ? fn(db) : db.transaction().execute(fn);

const assignRollup = sql.join(rollupColumns.map((c) => sql`${sql.id(c)} = excluded.${sql.id(c)}`));
const rollupIds = sql.join(rollupColumns.map((c) => sql.id(c)));

/**
 * Writes whole rollup rows, each recomputed from the latest totals of the posts published in it:
 * idempotent, and right whatever happened before (redelivery, reordering, a post whose publication time
 * changed). `rows` yields one row per post (`post` true) with its hour and measures, and for an hour
 * left without posts one row with `post` null.
 */
function upsertRollups(rows: RawBuilder<unknown>) {
  return sql`
    INSERT INTO post_rollup_hourly AS r (tenant_id, platform, hour, ${rollupIds})
    SELECT tenant_id, platform, hour, ${rollupSums} FROM ${rows} AS m
    GROUP BY tenant_id, platform, hour
    -- New rows land in key order, so a tenant's consecutive hours share pages and a period reads few.
    ORDER BY tenant_id, hour, platform
    ON CONFLICT (tenant_id, hour, platform) DO UPDATE SET ${assignRollup}, updated_at = now()`;
}

export interface AnalyticsKey {
  tenant_id: string;
  platform: string;
  platform_post_id: string;
}

/**
 * Brings the analytics tables up to date with the posts of a written micro-batch:
 * `post_metrics_latest.published_at` from `posts`, the hourly rollup rows of the hours those posts were
 * (and, if it changed, used to be) published in, and each tenant/platform's newest observation.
 *
 * Rollup rows are recomputed, not incremented, under transaction-scoped advisory locks taken in one
 * order: a recomputation that waited for another replica's starts after that one committed and so sees
 * its writes (read committed takes a new snapshot per statement).
 */
export async function refreshPostAnalytics<DB>(
  db: Kysely<DB>,
  keys: readonly AnalyticsKey[],
  observed: readonly { tenant_id: string; platform: string; observed_at: Date }[],
): Promise<void> {
  if (keys.length === 0) return;
  await db.transaction().execute(async (trx) => {
    // aggregator: lock the rollup hours of a batch's posts and copy publication times to the latest rows
    const { rows: buckets } = await sql<{ tenant_id: string; platform: string; hour: Date }>`
      WITH k AS (
        SELECT * FROM unnest(${keys.map((k) => k.tenant_id)}::uuid[], ${keys.map((k) => k.platform)}::text[],
          ${keys.map((k) => k.platform_post_id)}::text[]) AS k(tenant_id, platform, platform_post_id)
      ),
      cur AS (
        SELECT l.tenant_id, l.platform, l.platform_post_id, l.published_at AS was, p.published_at AS now
        FROM k
        JOIN post_metrics_latest l USING (tenant_id, platform, platform_post_id)
        JOIN posts p USING (tenant_id, platform, platform_post_id)
      ),
      moved AS (
        UPDATE post_metrics_latest l SET published_at = cur.now FROM cur
        WHERE l.tenant_id = cur.tenant_id AND l.platform = cur.platform
          AND l.platform_post_id = cur.platform_post_id AND cur.was IS DISTINCT FROM cur.now
      ),
      hours AS (
        SELECT DISTINCT tenant_id, platform, ${utcHour(sql`t`)} AS hour
        FROM cur CROSS JOIN LATERAL unnest(ARRAY[cur.was, cur.now]) AS t WHERE t IS NOT NULL
      )
      SELECT tenant_id, platform, hour, pg_advisory_xact_lock(lock)::text AS locked
      FROM (SELECT *, hashtextextended(tenant_id::text || platform || extract(epoch FROM hour)::text, 0) AS lock FROM hours
            ORDER BY lock) ordered`.execute(trx);
    const tenants = observed.map((o) => o.tenant_id);
    // aggregator: recompute the batch's hourly rollup rows and the newest observation per platform
    await sql`
      WITH freshness AS (
        INSERT INTO post_freshness AS f (tenant_id, platform, last_observed_at)
        SELECT tenant_id, platform, max(observed_at)
        FROM unnest(${tenants}::uuid[], ${observed.map((o) => o.platform)}::text[],
          ${observed.map((o) => o.observed_at)}::timestamptz[]) AS o(tenant_id, platform, observed_at)
        GROUP BY tenant_id, platform
        ON CONFLICT (tenant_id, platform) DO UPDATE
          SET last_observed_at = GREATEST(f.last_observed_at, excluded.last_observed_at)
      )
      ${upsertRollups(sql`(
        SELECT b.tenant_id, b.platform, b.hour, m.*
        FROM unnest(${buckets.map((b) => b.tenant_id)}::uuid[], ${buckets.map((b) => b.platform)}::text[],
          ${buckets.map((b) => b.hour)}::timestamptz[]) AS b(tenant_id, platform, hour)
        LEFT JOIN LATERAL (
          SELECT true AS post, ${postMeasures('l')} FROM post_metrics_latest l
          WHERE l.tenant_id = b.tenant_id AND l.published_at >= b.hour AND l.published_at < b.hour + interval '1 hour'
            AND l.platform = b.platform
          -- Not flattened into a join (OFFSET 0): one index range read per hour, never a scan of the tenant.
          OFFSET 0
        ) m ON true)`)}`.execute(trx);
  });
}

/**
 * Rebuilds every analytics table from `posts` and `post_metrics_latest`: for the migration that
 * introduced them and for data written straight into those tables (the query benchmark's seed).
 */
export async function rebuildPostAnalytics<DB>(db: Kysely<DB>): Promise<void> {
  await inTransaction(db, async (trx) => {
    await sql`UPDATE post_metrics_latest l SET published_at = p.published_at FROM posts p
      WHERE l.tenant_id = p.tenant_id AND l.platform = p.platform AND l.platform_post_id = p.platform_post_id
        AND l.published_at IS DISTINCT FROM p.published_at`.execute(trx);
    await sql`TRUNCATE post_rollup_hourly, post_freshness`.execute(trx);
    await sql`INSERT INTO post_freshness (tenant_id, platform, last_observed_at)
      SELECT tenant_id, platform, max(observed_at) FROM post_metrics_latest GROUP BY 1, 2`.execute(trx);
    await sql`${upsertRollups(sql`(
      SELECT l.tenant_id, l.platform, ${utcHour(sql`l.published_at`)} AS hour, true AS post, ${postMeasures('l')}
      FROM post_metrics_latest l WHERE l.published_at IS NOT NULL)`)}`.execute(trx);
    await sql`ANALYZE post_metrics_latest, post_rollup_hourly`.execute(trx);
  });
}
