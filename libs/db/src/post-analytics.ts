import { type RawBuilder, sql } from 'kysely';
import { oncePerKey, precompiled } from './precompiled.js';

/**
 * What analytics need of one post, from its latest totals in the row alias `l`: the raw totals plus
 * `engagements` (null only when likes, comments and shares are all unknown), and the engagement and
 * click-through rate parts, counted only when impressions are known (> 0), so Σer_num / Σer_den is the
 * engagement rate over the posts whose impressions are known. Written once, here: post cards and the
 * rollup contribution below both use it.
 */
export const postMeasures = oncePerKey((l) => precompiled(postMeasuresOf(l)));

/** The latest totals `postMeasures` reads (and returns as they are). */
export const measuredTotals = [
  'impressions',
  'reach',
  'clicks',
  'likes_count',
  'comments_count',
  'shares_count',
] as const;

function postMeasuresOf(l: string): RawBuilder<unknown> {
  const c = (name: string) => sql.ref(`${l}.${name}`);
  const engagements = sql`coalesce(${c('likes_count')}, 0) + coalesce(${c('comments_count')}, 0) + coalesce(${c('shares_count')}, 0)`;
  return sql`${sql.join(measuredTotals.map((t) => sql`${c(t)} AS ${sql.id(t)}`))},
    CASE WHEN ${c('likes_count')} IS NULL AND ${c('comments_count')} IS NULL AND ${c('shares_count')} IS NULL
         THEN NULL ELSE ${engagements} END AS engagements,
    CASE WHEN ${c('impressions')} > 0 THEN ${engagements} END AS er_num,
    CASE WHEN ${c('impressions')} > 0 THEN ${c('impressions')} END AS er_den,
    CASE WHEN ${c('impressions')} > 0 AND ${c('clicks')} IS NOT NULL THEN ${c('clicks')} END AS ctr_num,
    CASE WHEN ${c('impressions')} > 0 AND ${c('clicks')} IS NOT NULL THEN ${c('impressions')} END AS ctr_den`;
}

/**
 * A post's engagement rate (as a fraction) from its latest row's columns, null when impressions are not
 * known: what top posts rank by. `post_metrics_latest_engagement_rate_idx` indexes this very expression,
 * so the ranking reads the index in order; a query must spell it identically to use the index.
 */
export const latestEngagementRate = sql.raw(
  'CASE WHEN impressions > 0 THEN (coalesce(likes_count, 0) + coalesce(comments_count, 0) + coalesce(shares_count, 0))::float8 / impressions END',
);

/** Totals whose "not reported" must survive summing: each has a count of the posts that reported it. */
export const countedRollupMetrics = [
  'likes_count',
  'comments_count',
  'shares_count',
  'impressions',
  'reach',
  'clicks',
  'engagements',
] as const;
const plain = ['er_num', 'er_den', 'ctr_num', 'ctr_den'] as const;

/**
 * The columns of a rollup row, in order. Sums are never null: `<metric>_n` counts the posts that reported
 * the metric, so a sum is "not reported" exactly when its count is 0. `k` counts the posts with known
 * impressions; `e2`, `n2`, `en` are Σer_num², Σer_den², Σer_num·er_den, what the ratio confidence interval
 * needs. Every column is a sum over posts, so a post's change is added as a difference.
 */
export const rollupColumns = [
  'posts',
  ...countedRollupMetrics.flatMap((m) => [m, `${m}_n`]),
  ...plain,
  'k',
  'e2',
  'n2',
  'en',
] as const;

/**
 * One post's contribution to a rollup row, from its latest totals in the row alias `l`, times `sign`
 * (1 to add the post, -1 to take it out): every column of `rollupColumns`, in order. The query API reads
 * single posts in the same shape when it cannot use the rollup.
 */
export const rollupContribution = (l: string, sign: 1 | -1 = 1) => contribution(rollupColumns, l, sign);

export type RollupColumn = (typeof rollupColumns)[number];

const contributions = oncePerKey((key) => {
  const [l = '', sign, columns = ''] = key.split(' ');
  return precompiled(contributionOf(l, sign === '-1' ? -1 : 1, columns.split(',') as RollupColumn[]));
});

/** `columns` (some of `rollupColumns`, in their order) of one post's contribution, as `rollupContribution`. */
export const contribution = (columns: readonly RollupColumn[], l: string, sign: 1 | -1) =>
  contributions(`${l} ${sign} ${columns.join(',')}`);

function contributionOf(l: string, sign: 1 | -1, columns: readonly RollupColumn[]): RawBuilder<unknown> {
  const c = (name: string) => sql.ref(`${l}.${name}`);
  const s = sql.raw(String(sign));
  const known = sql`${c('impressions')} > 0`;
  const eng = sql`(coalesce(${c('likes_count')}, 0) + coalesce(${c('comments_count')}, 0) + coalesce(${c('shares_count')}, 0))`;
  const engKnown = sql`(${c('likes_count')} IS NOT NULL OR ${c('comments_count')} IS NOT NULL OR ${c('shares_count')} IS NOT NULL)`;
  const value = (m: (typeof countedRollupMetrics)[number]) =>
    m === 'engagements' ? eng : sql`coalesce(${c(m)}, 0)`;
  const isKnown = (m: (typeof countedRollupMetrics)[number]) =>
    m === 'engagements' ? engKnown : sql`${c(m)} IS NOT NULL`;
  const ctrKnown = sql`${known} AND ${c('clicks')} IS NOT NULL`;
  const definitions: Record<string, RawBuilder<unknown>> = {
    posts: s,
    ...Object.fromEntries(
      countedRollupMetrics.flatMap((m) => [
        [m, sql`${s} * ${value(m)}`],
        [`${m}_n`, sql`${s} * (${isKnown(m)})::int`],
      ]),
    ),
    er_num: sql`CASE WHEN ${known} THEN ${s} * ${eng} ELSE 0 END`,
    er_den: sql`CASE WHEN ${known} THEN ${s} * ${c('impressions')} ELSE 0 END`,
    ctr_num: sql`CASE WHEN ${ctrKnown} THEN ${s} * ${c('clicks')} ELSE 0 END`,
    ctr_den: sql`CASE WHEN ${ctrKnown} THEN ${s} * ${c('impressions')} ELSE 0 END`,
    k: sql`${s} * (coalesce(${known}, false))::int`,
    e2: sql`CASE WHEN ${known} THEN ${s} * ${eng}::float8 * ${eng} ELSE 0 END`,
    n2: sql`CASE WHEN ${known} THEN ${s} * ${c('impressions')}::float8 * ${c('impressions')} ELSE 0 END`,
    en: sql`CASE WHEN ${known} THEN ${s} * ${eng}::float8 * ${c('impressions')} ELSE 0 END`,
  };
  return sql.join(columns.map((name) => sql`${definitions[name]} AS ${sql.id(name)}`));
}

/** The UTC hour an instant falls in, whatever the session's TimeZone (date_trunc would use it). */
export const utcHour = (expr: RawBuilder<unknown>) =>
  sql`date_bin('1 hour', ${expr}, timestamptz '2000-01-01 00:00:00+00')`;

/**
 * The rollup's platform for rows summed over every platform: most reads do not split by platform, and
 * one row per hour is several times fewer rows to read than one per platform.
 */
export const allPlatforms = 'all';

/** The UTC day an instant falls in, as the instant it starts (`post_rollup_daily.day`). */
export const utcDay = (expr: RawBuilder<unknown>) =>
  sql`date_bin('1 day', ${expr}, timestamptz '2000-01-01 00:00:00+00')`;

/** The UTC month an instant falls in, as the instant it starts (`post_rollup_monthly.month`). */
export const utcMonth = (expr: RawBuilder<unknown>) => sql`date_trunc('month', ${expr}, 'UTC')`;

/**
 * What a rollup of `columns` (sums over posts) is written with, each compiled once: the column list, their
 * sums, a HAVING condition true when any sum is not 0 (a key whose delta is zero, a post rewritten as it
 * was or one whose totals did not change, is not written), and the SET that adds `excluded` to row `r`.
 */
export function rollupWriteSql(columns: readonly string[]) {
  return {
    ids: precompiled(sql.join(columns.map((c) => sql.id(c)))),
    sums: precompiled(sql.join(columns.map((c) => sql`sum(${sql.id(c)}) AS ${sql.id(c)}`))),
    changed: precompiled(
      sql.join(
        columns.map((c) => sql`sum(${sql.id(c)}) <> 0`),
        sql` OR `,
      ),
    ),
    addToRow: precompiled(
      sql.join(columns.map((c) => sql`${sql.id(c)} = r.${sql.id(c)} + excluded.${sql.id(c)}`)),
    ),
  };
}

const rollup = rollupWriteSql(rollupColumns);

/** The rollups summed from the hourly deltas per UTC day and month, in the order their rows are locked. */
const coarserRollups = [
  { cte: 'rollup_daily', table: 'post_rollup_daily', key: 'day', bucket: utcDay },
  { cte: 'rollup_monthly', table: 'post_rollup_monthly', key: 'month', bucket: utcMonth },
] as const;

/**
 * The data-modifying CTEs that add signed contributions to the rollups: to their platform's row and to the
 * `allPlatforms` row, of their UTC hour (`post_rollup_hourly`), day (`post_rollup_daily`) and month
 * (`post_rollup_monthly`). `rows` yields (tenant_id, platform, hour) and the columns of
 * `rollupContribution`; they are summed per key first (`rollup_delta`; keys whose sums are all zero are
 * dropped) and applied in key order, hours before days before months (`coarserRollups`), so concurrent
 * writers take row locks in one order. Additions commute, so writers never wait for each other's reads.
 * `rollup_hourly` returns the hours written (tenant_id, platform, hour): the caller copies those over all
 * platforms into their day-hours rows after the statement (`patchDayHours`).
 */
export function rollupWrites(rows: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    rollup_delta AS (
      SELECT tenant_id, coalesce(platform, ${allPlatforms}) AS platform, hour, ${rollup.sums} FROM ${rows} AS d
      GROUP BY GROUPING SETS ((tenant_id, platform, hour), (tenant_id, hour))
      HAVING ${rollup.changed}
    ),
    rollup_hourly AS (
      INSERT INTO post_rollup_hourly AS r (tenant_id, platform, hour, ${rollup.ids})
      SELECT tenant_id, platform, hour, ${rollup.ids} FROM rollup_delta
      ORDER BY tenant_id, hour, platform
      ON CONFLICT (tenant_id, hour, platform) DO UPDATE SET ${rollup.addToRow}, updated_at = now()
      RETURNING r.tenant_id, r.platform, r.hour
    ),
    ${sql.join(
      coarserRollups.map(
        ({ cte, table, key, bucket }) => sql`${sql.id(cte)} AS (
      INSERT INTO ${sql.table(table)} AS r (tenant_id, platform, ${sql.id(key)}, ${rollup.ids})
      SELECT tenant_id, platform, ${bucket(sql`hour`)} AS ${sql.id(key)}, ${rollup.sums} FROM rollup_delta
      GROUP BY 1, 2, 3
      ORDER BY tenant_id, ${sql.id(key)}, platform
      ON CONFLICT (tenant_id, ${sql.id(key)}, platform) DO UPDATE SET ${rollup.addToRow}, updated_at = now()
    )`,
      ),
    )}`;
}

/** Raises each tenant/platform's newest observation to those in `rows` (tenant_id, platform, observed_at). */
export function raiseFreshness(rows: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    INSERT INTO post_freshness AS f (tenant_id, platform, last_observed_at)
    SELECT tenant_id, platform, max(observed_at) FROM ${rows} AS o GROUP BY tenant_id, platform
    ON CONFLICT (tenant_id, platform) DO UPDATE
      SET last_observed_at = GREATEST(f.last_observed_at, excluded.last_observed_at)`;
}

/** Totals whose gains the activity trend sums. */
export const gainedMetrics = [
  'impressions',
  'reach',
  'clicks',
  'likes_count',
  'comments_count',
  'shares_count',
] as const;

/**
 * The columns of a gains row, in order: `observations` counts the observations that advanced a post's
 * totals; each gained metric has a sum and a count `<metric>_n` of the observations whose gain is known;
 * the rate parts count only observations that gained impressions (> 0).
 */
export const gainColumns = [
  'observations',
  ...gainedMetrics.flatMap((m) => [m, `${m}_n`]),
  ...plain,
] as const;

/**
 * What one observation gained over the post's previous one: every column of `gainColumns`, in order, from
 * a row holding the observation's totals and the previous one's as `prev_<column>`; prev_observed_at is
 * null when the post had no earlier observation (its totals then count from zero). A gain is unknown when
 * either side did not report the metric.
 */
function gainContribution(): RawBuilder<unknown> {
  const gain = (m: string) =>
    sql`(CASE WHEN prev_observed_at IS NULL THEN ${sql.ref(m)} ELSE ${sql.ref(m)} - ${sql.ref(`prev_${m}`)} END)`;
  const known = sql`${gain('impressions')} > 0`;
  const eng = sql`(coalesce(${gain('likes_count')}, 0) + coalesce(${gain('comments_count')}, 0) + coalesce(${gain('shares_count')}, 0))`;
  const ctrKnown = sql`${known} AND ${gain('clicks')} IS NOT NULL`;
  return sql`1 AS observations,
    ${sql.join(gainedMetrics.map((m) => sql`coalesce(${gain(m)}, 0) AS ${sql.id(m)}, (${gain(m)} IS NOT NULL)::int AS ${sql.id(`${m}_n`)}`))},
    CASE WHEN ${known} THEN ${eng} ELSE 0 END AS er_num,
    CASE WHEN ${known} THEN ${gain('impressions')} ELSE 0 END AS er_den,
    CASE WHEN ${ctrKnown} THEN ${gain('clicks')} ELSE 0 END AS ctr_num,
    CASE WHEN ${ctrKnown} THEN ${gain('impressions')} ELSE 0 END AS ctr_den`;
}

const gainIds = sql.join(gainColumns.map((c) => sql.id(c)));
const gainSums = sql.join(gainColumns.map((c) => sql`sum(${sql.id(c)}) AS ${sql.id(c)}`));
const previousColumns = sql.join(
  ['observed_at', ...gainedMetrics].map((c) => sql`lag(${sql.id(c)}) OVER w AS ${sql.id(`prev_${c}`)}`),
);

/**
 * Adds to `post_gains_hourly` what each observation in `observations` gained over the one before it (of
 * the same post, by observed_at). `observations` yields tenant_id, platform, platform_post_id, observed_at,
 * the gained metrics and a boolean `counted`: rows not counted only serve as predecessors (the aggregator
 * passes each post's latest row as it was). Gains are keyed by the UTC hour of the observation and of its
 * predecessor (`-infinity` for a post's first), summed per key and applied in key order, like
 * `rollupWrites`.
 */
export function addGains(observations: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    INSERT INTO post_gains_hourly AS g (tenant_id, platform, hour, previous_hour, ${gainIds})
    SELECT tenant_id, platform, hour, previous_hour, ${gainSums}
    FROM (
      SELECT tenant_id, platform, ${utcHour(sql`observed_at`)} AS hour,
        coalesce(${utcHour(sql`prev_observed_at`)}, timestamptz '-infinity') AS previous_hour, ${gainContribution()}
      FROM (
        SELECT o.*, ${previousColumns} FROM ${observations} AS o
        WINDOW w AS (PARTITION BY tenant_id, platform, platform_post_id ORDER BY observed_at)
      ) x
      WHERE counted
    ) d
    GROUP BY tenant_id, platform, hour, previous_hour
    ORDER BY tenant_id, hour, platform, previous_hour
    ON CONFLICT (tenant_id, hour, platform, previous_hour) DO UPDATE SET
      ${sql.join(gainColumns.map((c) => sql`${sql.id(c)} = g.${sql.id(c)} + excluded.${sql.id(c)}`))}`;
}

/**
 * What the latest rows copy from their post, so reads of a period's posts need not join `posts`: the
 * publication time (which finds them) and what content analysis groups by.
 */
export const latestPostColumns = ['published_at', 'content_type', 'text_length', 'hashtag_keys'] as const;

/** The copied columns of row alias `t` as one row value, to compare a latest row with its post. */
export const latestPostRow = (t: string) =>
  sql`ROW(${sql.join(latestPostColumns.map((c) => sql.ref(`${t}.${c}`)))})`;
