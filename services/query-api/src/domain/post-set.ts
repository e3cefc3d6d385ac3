import type { Platform } from '@postpulse/contracts';
import {
  allPlatforms,
  contentContribution,
  contentKeys,
  contentRollupColumns,
  latestEngagementRate,
  measuredTotals,
  oncePerKey,
  precompiled,
  type RollupColumn,
  rollupColumns,
  rollupContribution,
  utcDay,
} from '@postpulse/db';
import { type RawBuilder, sql } from 'kysely';
import type { DomainContext } from '../context.js';
import { changePct, percent, round2 } from './math.js';
import {
  ceilUtcDay,
  ceilUtcMonth,
  type DateRange,
  floorUtcDay,
  floorUtcMonth,
  hourlyRollupFits,
} from './time.js';

export interface PostFilter {
  from: Date;
  to: Date;
  platform?: Platform | undefined;
}

export const rangeFilter = (range: DateRange, platform?: Platform): PostFilter => ({
  from: range.from,
  to: range.to,
  platform,
});

/** The tenant's latest rows of the posts published in the filter's period. */
function latestRows(ctx: DomainContext, f: PostFilter): RawBuilder<unknown> {
  const platform = f.platform ? sql`AND platform = ${f.platform}` : sql``;
  return sql`SELECT * FROM post_metrics_latest
    WHERE tenant_id = ${ctx.tenantId} AND published_at >= ${f.from} AND published_at < ${f.to} ${platform}`;
}

/** One row per post, shaped like a rollup row (`rollupContribution`), with its platform and publication time. */
function postRows(ctx: DomainContext, f: PostFilter): RawBuilder<unknown> {
  return sql`SELECT l.platform, l.platform_post_id, l.published_at AS at, ${rollupContribution('l')}
    FROM (${latestRows(ctx, f)}) l`;
}

const platformCondition = (f: PostFilter, perPlatform: boolean) =>
  f.platform
    ? sql`AND r.platform = ${f.platform}`
    : perPlatform
      ? sql`AND r.platform <> ${allPlatforms}`
      : sql`AND r.platform = ${allPlatforms}`;

const rollupIds = oncePerKey((alias) =>
  precompiled(sql.join(rollupColumns.map((c) => sql.ref(`${alias}.${c}`)))),
);

/** Hourly rollup rows of the period: per platform, or summed over the platforms (one per hour). */
function rollupRows(ctx: DomainContext, f: PostFilter, perPlatform: boolean): RawBuilder<unknown> {
  return sql`SELECT r.platform, r.hour AS at, ${rollupIds('r')}
    FROM post_rollup_hourly r
    WHERE r.tenant_id = ${ctx.tenantId} AND r.hour >= ${f.from} AND r.hour < ${f.to} ${platformCondition(f, perPlatform)}`;
}

/**
 * The day-hours rows (`post_rollup_day_hours`: some hourly rollup columns over all platforms as their UTC
 * day's 24 hours) of the UTC days the period touches; the hours outside the period are left out where
 * they are grouped (`hour-groups.ts`).
 */
function dayHoursRows(ctx: DomainContext, f: PostFilter): RawBuilder<unknown> {
  return sql`SELECT * FROM post_rollup_day_hours r
    WHERE r.tenant_id = ${ctx.tenantId} AND r.day >= ${floorUtcDay(f.from)} AND r.day < ${f.to}`;
}

/**
 * The UTC days wholly inside the period, as [firstDay, endDay): its totals are their daily rows plus the
 * hours (or posts) before the first and after the last of them. No whole day inside: all of it is hours.
 */
function wholeUtcDays(f: PostFilter): { firstDay: Date; endDay: Date } {
  const firstDay = ceilUtcDay(f.from);
  const endDay = floorUtcDay(f.to);
  return endDay <= firstDay ? { firstDay: f.to, endDay: f.to } : { firstDay, endDay };
}

/**
 * The UTC months wholly inside the whole days [firstDay, endDay), as [firstMonth, endMonth), or undefined
 * when there is none.
 */
function wholeUtcMonths(firstDay: Date, endDay: Date): { firstMonth: Date; endMonth: Date } | undefined {
  const firstMonth = ceilUtcMonth(firstDay);
  const endMonth = floorUtcMonth(endDay);
  return endMonth > firstMonth ? { firstMonth, endMonth } : undefined;
}

/**
 * Rollup rows that sum to the period's totals without splitting it: the monthly rows of the UTC months
 * wholly inside it, the daily rows of its other whole UTC days (`wholeUtcDays`), and the hourly rows of the
 * hours before and after those. A month is about thirty daily rows and two partial days of hours instead
 * of 720 hourly rows; a year about twelve monthly rows and two partial months of days instead of 365 daily
 * rows, per platform (a year's overview: 6.3 → 4.8 ms of Postgres a request). Periods without a whole
 * month keep the text without months: reading an empty range of them cost a 30-day overview 0.15 ms. So
 * the text has two forms, each one prepared statement whatever the values.
 */
function periodRollupRows(ctx: DomainContext, f: PostFilter, perPlatform: boolean): RawBuilder<unknown> {
  const { firstDay, endDay } = wholeUtcDays(f);
  const months = wholeUtcMonths(firstDay, endDay);
  const platform = platformCondition(f, perPlatform);
  const rowsOf = (table: string, condition: RawBuilder<unknown>) =>
    sql`SELECT r.platform, ${rollupIds('r')} FROM ${sql.table(table)} r
    WHERE r.tenant_id = ${ctx.tenantId} AND ${condition} ${platform}`;
  const days = months
    ? sql`${rowsOf('post_rollup_monthly', sql`r.month >= ${months.firstMonth} AND r.month < ${months.endMonth}`)}
    UNION ALL
    ${rowsOf('post_rollup_daily', sql`((r.day >= ${firstDay} AND r.day < ${months.firstMonth}) OR (r.day >= ${months.endMonth} AND r.day < ${endDay}))`)}`
    : rowsOf('post_rollup_daily', sql`r.day >= ${firstDay} AND r.day < ${endDay}`);
  return sql`${days}
    UNION ALL
    ${rowsOf('post_rollup_hourly', sql`((r.hour >= ${f.from} AND r.hour < ${firstDay}) OR (r.hour >= ${endDay} AND r.hour < ${f.to}))`)}`;
}

/** How many of each UTC day's first posts by engagement rate `tp` holds. */
const DAY_TOP = 5;

/**
 * Whether `tp` serves the period's first `limit` by engagement rate. Each whole UTC day costs it ≈ 8 µs of
 * Postgres, a statement of its own planned for the period (the index of rates walked from the top) ≈ 1.6
 * ms of CPU under load: past about three months the latter is cheaper (a year: 10.6 instead of 7.8 ms of
 * Postgres per overview).
 */
export const readsDayTops = (f: PostFilter, limit: number) =>
  limit <= DAY_TOP && f.to.getTime() - f.from.getTime() <= 100 * 86_400_000;

/** A post's key, publication time and totals, as top lists rank and show them. */
export const rankedColumns = precompiled(
  sql.join(['platform', 'platform_post_id', 'published_at', ...measuredTotals].map((c) => sql.ref(`l.${c}`))),
);

/**
 * Candidates for the period's first posts by engagement rate, as rows of `rankedColumns` and the rate `v`:
 * the first `DAY_TOP` of each UTC day wholly inside the period, each day read from the start of its range
 * of `post_metrics_latest_day_engagement_rate_idx`, and the rated posts of the hours before and after those
 * days. The period's first `DAY_TOP` are among them, whatever the period.
 */
function topCandidateRows(ctx: DomainContext, f: PostFilter): RawBuilder<unknown> {
  const { firstDay, endDay } = wholeUtcDays(f);
  const platform = f.platform ? sql`AND l.platform = ${f.platform}` : sql``;
  const rated = sql`SELECT ${rankedColumns}, ${latestEngagementRate} AS v FROM post_metrics_latest l
      WHERE l.tenant_id = ${ctx.tenantId} AND ${latestEngagementRate} IS NOT NULL ${platform}`;
  return sql`SELECT t.* FROM generate_series(${firstDay}::timestamptz, ${endDay}::timestamptz - interval '1 day',
      interval '1 day') AS d(day)
    CROSS JOIN LATERAL (${rated} AND ${utcDay(sql`l.published_at`)} = d.day
      ORDER BY ${latestEngagementRate} DESC NULLS LAST, l.published_at DESC, l.platform, l.platform_post_id
      LIMIT ${sql.lit(DAY_TOP)}) t
    UNION ALL
    ${rated} AND ((l.published_at >= ${f.from} AND l.published_at < ${firstDay})
      OR (l.published_at >= ${endDay} AND l.published_at < ${f.to}))`;
}

const contentIds = precompiled(sql.join(contentRollupColumns.map((c) => sql.ref(`r.${c}`))));

/**
 * Content rollup rows (dimension, key and `contentRollupColumns`) that sum to the period's figures per
 * content type, length bucket and hashtag: the daily rows of its whole UTC days and, for the hours before
 * and after them, the contributions of the posts published then. Posts, not hourly rows, fill the ends:
 * they are a day's posts at most, and any zone's day ends there exactly.
 */
function contentRollupRows(ctx: DomainContext, f: PostFilter): RawBuilder<unknown> {
  const { firstDay, endDay } = wholeUtcDays(f);
  const before = latestRows(ctx, { ...f, to: firstDay });
  const after = latestRows(ctx, { ...f, from: endDay });
  return sql`SELECT r.dimension, r.key, ${contentIds} FROM post_content_rollup_daily r
    WHERE r.tenant_id = ${ctx.tenantId} AND r.day >= ${firstDay} AND r.day < ${endDay}
      AND r.platform = ${f.platform ?? allPlatforms}
    UNION ALL
    SELECT k.dimension, k.key, ${contentContribution('l')}
    FROM (${before} UNION ALL ${after}) l ${contentKeys('l')}`;
}

/**
 * The CTEs an analytics statement can draw on, for the posts published in [from, to):
 * - `l`: the posts' rows of latest totals (`post_metrics_latest`, found by publication time), as stored;
 * - `m`: one row per post, shaped like a rollup row (`rollupContribution`);
 * - `c`: content rollup rows per content type, length bucket and hashtag (`contentRollupRows`);
 * - `tp`: candidates for the first posts by engagement rate (`topCandidateRows`);
 * - `s`: rows to sum for local days, weeks, months and weekday × hour cells, shaped like `m`: the hourly
 *   rollup rows (`post_rollup_hourly`) summed over the platforms (or of the filtered one) when every UTC
 *   hour is one local hour of the zone, else `m` itself;
 * - `dh`: the same hours over all platforms as day-hours rows (`dayHoursRows`), for the API to group;
 * - `t`: rows to sum for the period's totals: daily and hourly rollup rows (`periodRollupRows`), else `m`;
 * - `pl`: the same as `t` per platform (for per-platform figures);
 * - `sp`: the same as `t` for the `previous` period.
 * Only the CTEs in `reads` and those they are built from are written into the statement: planning unused
 * ones costs milliseconds. The tenant condition is here, once, for every analytics query.
 */
export function postSetCtes(
  ctx: DomainContext,
  f: PostFilter,
  reads: ReadonlySet<Cte>,
  previous?: PostFilter,
): RawBuilder<unknown> {
  // Hourly rollup rows cut local days and hours exactly only where every UTC hour is one local hour.
  const rollup = hourlyRollupFits(ctx.timezone);
  const needM = (reads.has('s') || reads.has('t') || reads.has('pl')) && !rollup;
  const ctes: RawBuilder<unknown>[] = [];
  if (reads.has('l')) ctes.push(sql`l AS NOT MATERIALIZED (${latestRows(ctx, f)})`);
  if (needM) ctes.push(sql`m AS MATERIALIZED (${postRows(ctx, f)})`);
  if (reads.has('c')) ctes.push(sql`c AS (${contentRollupRows(ctx, f)})`);
  if (reads.has('tp')) ctes.push(sql`tp AS (${topCandidateRows(ctx, f)})`);
  if (reads.has('s')) ctes.push(sql`s AS (${rollup ? rollupRows(ctx, f, false) : sql`SELECT * FROM m`})`);
  if (reads.has('dh')) ctes.push(sql`dh AS (${dayHoursRows(ctx, f)})`);
  if (reads.has('t'))
    ctes.push(sql`t AS (${rollup ? periodRollupRows(ctx, f, false) : sql`SELECT * FROM m`})`);
  if (reads.has('pl'))
    ctes.push(sql`pl AS (${rollup ? periodRollupRows(ctx, f, true) : sql`SELECT * FROM m`})`);
  if (reads.has('sp')) {
    if (!previous) throw new Error('a part reads the previous period, but none was given');
    ctes.push(sql`sp AS (${rollup ? periodRollupRows(ctx, previous, false) : postRows(ctx, previous)})`);
  }
  return sql.join(ctes);
}

/** The CTEs of `postSetCtes` a part may read; `none` for parts that read tables of their own. */
export type Cte = 'l' | 'c' | 'tp' | 's' | 'dh' | 't' | 'pl' | 'sp' | 'none';

/** One SELECT of an analytics statement and the CTEs it reads; `T` is what `queryParts` returns for it. */
export interface Part<T = unknown[]> {
  reads: readonly Cte[];
  sql: RawBuilder<unknown>;
  /**
   * When given, the part's rows travel column-wise (an array per column, zipped back into rows here, in
   * no particular order): JSON of one object per row costs Postgres a type lookup per value, which for
   * the 168 weekday × hour cells was half the statement's time.
   */
  columns?: readonly string[] | undefined;
  /**
   * When given, the part's rows are one bytea column `b` each, concatenated in no particular order and
   * decoded by this function (null when there are no rows). For rows of numbers: Postgres writes a
   * number as bytes (`float8send`, `int4send`) at a fraction of the cost of writing it as text for JSON,
   * which was a third of the overview's groupings.
   */
  packed?: ((bytes: Buffer | null) => T) | undefined;
  /**
   * A part whose plan suits any values (it reads by key, or by the index range that finds a period's posts,
   * and ranks nothing): it may join the statement with a reused generic plan (`queryParts`) whatever it
   * reads.
   */
  genericPlan?: boolean | undefined;
}

export const part = (
  reads: Cte | readonly Cte[],
  query: RawBuilder<unknown>,
  options: Pick<Part, 'columns' | 'genericPlan'> = {},
): Part => ({ reads: typeof reads === 'string' ? [reads] : reads, sql: query, ...options });

/** A part whose rows are packed as bytes (`Part.packed`), decoded by `decode`. */
export const packedPart = <T>(
  reads: Cte | readonly Cte[],
  query: RawBuilder<unknown>,
  decode: (bytes: Buffer | null) => T,
  options: Pick<Part, 'genericPlan'> = {},
): Part<T> => ({ ...part(reads, query, options), packed: decode });

export type AggregateField = keyof AggregateRow;

/**
 * What each field of `AggregateRow` sums over rows shaped like rollup rows (`s`, `t`, `pl`, `sp`, `m`): a
 * rollup column, and for a metric that posts may not report, the column counting those that did (the sum
 * is null when none did); `count` fields are 0, not null, over no rows.
 */
export const aggregateSources: Record<
  AggregateField,
  { column: RollupColumn; reported?: RollupColumn; type: 'count' | 'bigint' | 'float8' }
> = {
  posts: { column: 'posts', type: 'count' },
  likes: { column: 'likes_count', reported: 'likes_count_n', type: 'bigint' },
  comments: { column: 'comments_count', reported: 'comments_count_n', type: 'bigint' },
  shares: { column: 'shares_count', reported: 'shares_count_n', type: 'bigint' },
  impressions: { column: 'impressions', reported: 'impressions_n', type: 'bigint' },
  reach: { column: 'reach', reported: 'reach_n', type: 'bigint' },
  clicks: { column: 'clicks', reported: 'clicks_n', type: 'bigint' },
  engagements: { column: 'engagements', reported: 'engagements_n', type: 'bigint' },
  er_num: { column: 'er_num', type: 'bigint' },
  er_den: { column: 'er_den', type: 'bigint' },
  ctr_num: { column: 'ctr_num', type: 'bigint' },
  ctr_den: { column: 'ctr_den', type: 'bigint' },
  k: { column: 'k', type: 'count' },
  e2: { column: 'e2', type: 'float8' },
  n2: { column: 'n2', type: 'float8' },
  en: { column: 'en', type: 'float8' },
};

/** Each field's sum in SQL, and its type. */
const aggregates = Object.fromEntries(
  Object.entries(aggregateSources).map(([field, { column, reported, type }]) => {
    const sum = sql`sum(${sql.id(column)})`;
    return [
      field,
      type === 'count'
        ? { sum: sql`coalesce(${sum}, 0)::int`, type: 'int' }
        : reported
          ? { sum: sql`CASE WHEN sum(${sql.id(reported)}) > 0 THEN ${sum} END::bigint`, type }
          : { sum: sql`${sum}::${sql.raw(type)}`, type },
    ];
  }),
) as Record<AggregateField, { sum: RawBuilder<unknown>; type: string }>;

export const aggregateFields = Object.keys(aggregates) as AggregateField[];

/**
 * Every field of `AggregateRow`, in one order (so SELECTs of them can be UNIONed): the sums of `fields`
 * (all by default), NULL for the others. bigint sums come back as numbers.
 */
export const aggregateColumns = (fields?: readonly AggregateField[]) =>
  fields ? someAggregates(fields.join(' ')) : allAggregates;

const columnsOf = (fields?: readonly string[]) =>
  precompiled(
    sql.join(
      aggregateFields.map((f) =>
        !fields || fields.includes(f)
          ? sql`${aggregates[f].sum} AS ${sql.id(f)}`
          : sql`NULL::${sql.raw(aggregates[f].type)} AS ${sql.id(f)}`,
      ),
    ),
  );
const allAggregates = columnsOf();
const someAggregates = oncePerKey((fields) => columnsOf(fields.split(' ')));

/**
 * The sums of `fields` as bytes, in their order: each a big-endian float8 (`float8send`; exact for the
 * integer sums, which stay below 2^53), NaN for null. Read back with `unpackAggregate`.
 */
export const packedAggregates = (fields: readonly AggregateField[]) => packedOf(fields.join(' '));
const packedOf = oncePerKey((fields) =>
  precompiled(
    sql.join(
      fields
        .split(' ')
        .map((f) => sql`float8send(coalesce((${aggregates[f as AggregateField].sum})::float8, 'NaN'))`),
      sql` || `,
    ),
  ),
);

/**
 * Big-endian float8 bytes (as `float8send` writes them) as numbers: swapped in place to the machine's order
 * (little-endian on every platform Node runs on) and viewed, not copied, unless misaligned.
 */
export function float8Values(bytes: Buffer | null): Float64Array {
  if (!bytes) return new Float64Array(0);
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : Buffer.from(bytes);
  aligned.swap64();
  return new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8);
}

/**
 * An `AggregateRow` from the values of `fields` at `offset` (as `packedAggregates` wrote them, read with
 * `float8Values`); the other fields are null (posts and k: 0).
 */
export function unpackAggregate(
  values: Float64Array,
  offset: number,
  fields: readonly AggregateField[],
): AggregateRow {
  const row: AggregateRow = { ...emptyAggregate };
  for (let i = 0; i < fields.length; i++) {
    const v = values[offset + i] ?? Number.NaN;
    (row as unknown as Record<string, number | null>)[fields[i] as string] = Number.isNaN(v) ? null : v;
  }
  return row;
}

export interface AggregateRow {
  posts: number;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  impressions: number | null;
  reach: number | null;
  clicks: number | null;
  engagements: number | null;
  er_num: number | null;
  er_den: number | null;
  ctr_num: number | null;
  ctr_den: number | null;
  /** Posts with known impressions, and Σer_num², Σer_den², Σer_num·er_den (for confidence intervals). */
  k: number;
  e2: number | null;
  n2: number | null;
  en: number | null;
}

export const emptyAggregate: AggregateRow = {
  posts: 0,
  likes: null,
  comments: null,
  shares: null,
  impressions: null,
  reach: null,
  clicks: null,
  engagements: null,
  er_num: null,
  er_den: null,
  ctr_num: null,
  ctr_den: null,
  k: 0,
  e2: null,
  n2: null,
  en: null,
};

/** The sums of several aggregate rows, with the nulls of SQL's: null only where every row has null. */
export function sumAggregates(rows: readonly AggregateRow[]): AggregateRow {
  const out: AggregateRow = { ...emptyAggregate };
  const sums = out as unknown as Record<AggregateField, number | null>;
  for (const row of rows) {
    for (const f of aggregateFields) {
      const v = row[f];
      if (v !== null) sums[f] = (sums[f] ?? 0) + v;
    }
  }
  return out;
}

/** The fields `summaryOf` and `summaryChange` read: a response of summaries sums no others. */
export const summaryFields: readonly AggregateField[] = [
  'posts',
  'likes',
  'comments',
  'shares',
  'engagements',
  'impressions',
  'reach',
  'clicks',
  'er_num',
  'er_den',
  'ctr_num',
  'ctr_den',
];

/** A total: 0 when there are no posts, null when posts exist but none reported the metric. */
const total = (posts: number, v: number | null) => (posts === 0 ? 0 : v);

export function summaryOf(row: AggregateRow) {
  return {
    total_posts: row.posts,
    total_likes: total(row.posts, row.likes),
    total_comments: total(row.posts, row.comments),
    total_shares: total(row.posts, row.shares),
    total_engagements: total(row.posts, row.engagements),
    total_impressions: total(row.posts, row.impressions),
    total_reach: total(row.posts, row.reach),
    total_clicks: total(row.posts, row.clicks),
    avg_engagement_rate: round2(percent(row.er_num, row.er_den)),
    click_through_rate: round2(percent(row.ctr_num, row.ctr_den)),
  };
}

export type Summary = ReturnType<typeof summaryOf>;

/** Change in % per numeric summary field (null when the previous value is unknown or zero). */
export function summaryChange(current: AggregateRow, previous: AggregateRow) {
  const rateCur = percent(current.er_num, current.er_den);
  const ratePrev = percent(previous.er_num, previous.er_den);
  const ctrCur = percent(current.ctr_num, current.ctr_den);
  const ctrPrev = percent(previous.ctr_num, previous.ctr_den);
  return {
    total_posts: round2(changePct(current.posts, previous.posts)),
    total_likes: round2(changePct(current.likes, previous.likes)),
    total_comments: round2(changePct(current.comments, previous.comments)),
    total_shares: round2(changePct(current.shares, previous.shares)),
    total_engagements: round2(changePct(current.engagements, previous.engagements)),
    total_impressions: round2(changePct(current.impressions, previous.impressions)),
    total_reach: round2(changePct(current.reach, previous.reach)),
    total_clicks: round2(changePct(current.clicks, previous.clicks)),
    avg_engagement_rate: round2(changePct(rateCur, ratePrev)),
    click_through_rate: round2(changePct(ctrCur, ctrPrev)),
  };
}

/**
 * The CTEs read by the same index ranges whatever the period: rollup rows (`s`, `dh`, `t`, `pl`, `sp`)
 * when the zone fits hourly rollups (`postSetCtes`), and content rollup rows (`c`) and top candidates
 * (`tp`) in every zone.
 */
const genericCtes = {
  rollup: new Set<Cte>(['s', 'dh', 't', 'pl', 'sp', 'c', 'tp']),
  perPost: new Set<Cte>(['c', 'tp']),
} as const;

/** Parts as one statement: each CTE is computed once for all of them, each part is a JSON array. */
function statementOf(
  ctx: DomainContext,
  f: PostFilter,
  parts: readonly (readonly [string, Part<unknown>])[],
  previous?: PostFilter,
): RawBuilder<Record<string, unknown>> {
  const columns = parts.map(([name, q]) => {
    // Packed bytes travel as base64: a third fewer characters than bytea's hex output for Postgres to
    // write and the driver to read (a year of day-hours rows: 3.0 instead of 4.3 ms of the API's CPU).
    const json = q.packed
      ? sql`encode(string_agg(x.b, ''::bytea), 'base64')`
      : q.columns
        ? sql`json_build_array(${sql.join(q.columns.map((c) => sql`array_agg(${sql.ref(`x.${c}`)})`))})`
        : sql`coalesce(json_agg(x ORDER BY x.ord), '[]'::json)`;
    return sql`(SELECT ${json} FROM (${q.sql}) x) AS ${sql.ref(name)}`;
  });
  const reads = new Set(parts.flatMap(([, q]) => q.reads));
  const withCtes = [...reads].some((r) => r !== 'none')
    ? sql`WITH ${postSetCtes(ctx, f, reads, previous)} `
    : sql``;
  return sql`${withCtes}SELECT ${sql.join(columns)}`;
}

/**
 * Runs several SELECTs over the CTEs of `postSetCtes` and returns each part as a JSON array. A part may
 * order its rows with a column `ord`; JSON turns bigint sums into numbers and timestamps into ISO strings.
 * Parts that read only rollup rows (`genericCtes`), or are flagged `genericPlan`, go into one statement run
 * with a reused generic plan (`genericPlanDb`: a range's rollup rows are read by the same index whatever
 * the range), the others into one planned for their values; the two run side by side.
 */
export async function queryParts<P extends Record<string, Part<unknown>>>(
  ctx: DomainContext,
  f: PostFilter,
  parts: P,
  previous?: PostFilter,
): Promise<{ [K in keyof P]: P[K] extends Part<infer T> ? T : never }> {
  const entries = Object.entries(parts) as [string, Part<unknown>][];
  const ctes = hourlyRollupFits(ctx.timezone) ? genericCtes.rollup : genericCtes.perPost;
  const isGeneric = (q: Part<unknown>) => q.genericPlan === true || q.reads.every((r) => ctes.has(r));
  const generic = entries.filter(([, q]) => isGeneric(q));
  const custom = entries.filter(([, q]) => !isGeneric(q));
  const run = async (statement: RawBuilder<Record<string, unknown>>, db: DomainContext['db']) => {
    // query-api: analytics of one post set (several parts in one statement)
    const { rows } = await statement.execute(db);
    if (!rows[0]) throw new Error('analytics query returned no row');
    return rows[0];
  };
  const results = await Promise.all([
    generic.length > 0 ? run(statementOf(ctx, f, generic, previous), ctx.genericPlanDb) : {},
    custom.length > 0 ? run(statementOf(ctx, f, custom, previous), ctx.db) : {},
  ]);
  const out: Record<string, unknown> = Object.assign({}, ...results);
  for (const [name, q] of entries) {
    if (q.packed) {
      const encoded = out[name] as string | null;
      out[name] = q.packed(encoded === null ? null : Buffer.from(encoded, 'base64'));
    } else if (q.columns) out[name] = rowsOf(q.columns, out[name]);
  }
  return out as { [K in keyof P]: P[K] extends Part<infer T> ? T : never };
}

/** Rows from arrays of column values (`array_agg` of no rows is null). */
function rowsOf(columns: readonly string[], arrays: unknown): Record<string, unknown>[] {
  const values = arrays as (unknown[] | null)[];
  const n = values[0]?.length ?? 0;
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {};
    columns.forEach((c, j) => {
      row[c] = values[j]?.[i];
    });
    rows.push(row);
  }
  return rows;
}

const PREVIEW_CHARS = 100;

/**
 * Post preview: the first 100 characters of the text, cut at a character (not a UTF-16 unit). Only the
 * first 101 characters are visited: a post's text can be thousands.
 */
export function preview(text: string | null): string | null {
  if (text === null || text.length <= PREVIEW_CHARS) return text;
  let chars = 0;
  let units = 0;
  for (const char of text) {
    if (chars === PREVIEW_CHARS) return `${text.slice(0, units)}…`;
    chars++;
    units += char.length;
  }
  return text;
}
