import { gainedMetrics } from '@postpulse/db';
import { sql } from 'kysely';
import type { DomainContext } from '../context.js';
import { measureGroups } from './groups.js';
import { percent, round2 } from './math.js';
import { type AggregateField, type AggregateRow, emptyAggregate, type PostFilter } from './post-set.js';
import { type DateRange, periodBounds, type TrendPeriod } from './time.js';

export const trendMetrics = [
  'engagement_rate',
  'click_through_rate',
  'total_engagement',
  'likes_count',
  'comments_count',
  'shares_count',
  'impressions',
  'reach',
  'clicks',
  'posts',
] as const;
export type TrendMetric = (typeof trendMetrics)[number];
export const trendBases = ['published', 'activity'] as const;
export type TrendBasis = (typeof trendBases)[number];

export const basisDescriptions: Record<TrendBasis, string> = {
  published:
    'Posts are grouped by their publication date in the time zone; each value uses the latest lifetime totals of the posts published in the period.',
  activity:
    'Each value is what was gained in the period: per post, the increase of its lifetime totals from the last observation before the period to the last one in it (from the snapshot history), summed over posts; `posts` counts the posts observed in the period. Rates divide what was gained over the observations that gained impressions. An observation that reaches us after a newer one of the same post is not counted (its gain lands in the newer one).',
};

/** What `publishedValue` reads of a period's sums. */
export const publishedFields: Record<TrendMetric, readonly AggregateField[]> = {
  engagement_rate: ['posts', 'er_num', 'er_den'],
  click_through_rate: ['posts', 'ctr_num', 'ctr_den'],
  total_engagement: ['posts', 'engagements'],
  likes_count: ['posts', 'likes'],
  comments_count: ['posts', 'comments'],
  shares_count: ['posts', 'shares'],
  impressions: ['posts', 'impressions'],
  reach: ['posts', 'reach'],
  clicks: ['posts', 'clicks'],
  posts: ['posts'],
};

function publishedValue(metric: TrendMetric, a: AggregateRow): number | null {
  switch (metric) {
    case 'engagement_rate':
      return percent(a.er_num, a.er_den);
    case 'click_through_rate':
      return percent(a.ctr_num, a.ctr_den);
    case 'total_engagement':
      return a.engagements ?? (a.posts === 0 ? 0 : null);
    case 'likes_count':
      return a.likes ?? (a.posts === 0 ? 0 : null);
    case 'comments_count':
      return a.comments ?? (a.posts === 0 ? 0 : null);
    case 'shares_count':
      return a.shares ?? (a.posts === 0 ? 0 : null);
    case 'impressions':
      return a.impressions ?? (a.posts === 0 ? 0 : null);
    case 'reach':
      return a.reach ?? (a.posts === 0 ? 0 : null);
    case 'clicks':
      return a.clicks ?? (a.posts === 0 ? 0 : null);
    case 'posts':
      return a.posts;
  }
}

type Gained = (typeof gainedMetrics)[number];

interface ActivityBucket {
  gains: Record<Gained, number | null>;
  er_num: number;
  er_den: number;
  ctr_num: number;
  ctr_den: number;
  posts: number;
}

/** The gains a metric's activity value reads: fewer columns summed is measurably faster. */
const activityColumns: Record<TrendMetric, readonly string[]> = {
  engagement_rate: ['er_num', 'er_den'],
  click_through_rate: ['ctr_num', 'ctr_den'],
  total_engagement: ['likes_count', 'comments_count', 'shares_count'],
  likes_count: ['likes_count'],
  comments_count: ['comments_count'],
  shares_count: ['shares_count'],
  impressions: ['impressions'],
  reach: ['reach'],
  clicks: ['clicks'],
  posts: [],
};

/** A sum over gains rows; a gained metric's is null when no observation in the period reported its gain. */
const sumOf = (c: string) =>
  (gainedMetrics as readonly string[]).includes(c)
    ? sql`CASE WHEN sum(${sql.id(`${c}_n`)}) > 0 THEN sum(${sql.id(c)}) END::bigint AS ${sql.id(c)}`
    : sql`sum(${sql.id(c)})::bigint AS ${sql.id(c)}`;

/**
 * Per period of activity, from `post_gains_hourly` (kept by the aggregator): the sums of what the
 * observations in the period gained over their predecessors, which telescope to each post's last totals
 * in the period minus its last before it. `posts` counts the posts observed in the period: each once, at
 * its first observation in the period, the one whose predecessor lies before the period's start (the
 * range's start for a period the range cuts). Period starts are computed here, in the zone, and each
 * hour finds its period by binary search (width_bucket), so no row needs a zone conversion.
 */
export async function activityBuckets(
  ctx: DomainContext,
  range: DateRange,
  filter: PostFilter,
  period: TrendPeriod,
  metric: TrendMetric,
): Promise<Map<string, ActivityBucket>> {
  const { starts, bounds } = periodBounds(range, period);
  const columns = activityColumns[metric];
  const platform = filter.platform ? sql`AND platform = ${filter.platform}` : sql``;
  // query-api: activity per period (gains from snapshot deltas)
  const { rows } = await sql<Record<string, number | null> & { i: number; posts: number }>`
    SELECT i, coalesce(sum(observations) FILTER (WHERE previous_hour < (${bounds}::timestamptz[])[i]), 0)::int AS posts
      ${sql.join(
        columns.map((c) => sql`, ${sumOf(c)}`),
        sql``,
      )}
    FROM (
      SELECT g.*, width_bucket(hour, ${bounds}::timestamptz[]) AS i
      FROM post_gains_hourly g
      WHERE tenant_id = ${ctx.tenantId} AND hour >= ${filter.from} AND hour < ${filter.to} ${platform}
    ) x
    GROUP BY i`.execute(ctx.db);
  const value = (r: Record<string, number | null>, c: string) =>
    columns.includes(c) ? (r[c] ?? null) : null;
  return new Map(
    rows.map((r) => [
      starts[r.i - 1] ?? '',
      {
        gains: Object.fromEntries(gainedMetrics.map((m) => [m, value(r, m)])) as Record<
          Gained,
          number | null
        >,
        er_num: value(r, 'er_num') ?? 0,
        er_den: value(r, 'er_den') ?? 0,
        ctr_num: value(r, 'ctr_num') ?? 0,
        ctr_den: value(r, 'ctr_den') ?? 0,
        posts: r.posts,
      },
    ]),
  );
}

function activityValue(metric: TrendMetric, b: ActivityBucket | undefined): number | null {
  if (!b) return metric === 'engagement_rate' || metric === 'click_through_rate' ? null : 0;
  switch (metric) {
    case 'engagement_rate':
      return percent(b.er_num, b.er_den);
    case 'click_through_rate':
      return percent(b.ctr_num, b.ctr_den);
    case 'total_engagement': {
      const parts = [b.gains.likes_count, b.gains.comments_count, b.gains.shares_count];
      return parts.every((p) => p === null) ? null : parts.reduce<number>((s, p) => s + (p ?? 0), 0);
    }
    case 'posts':
      return b.posts;
    default:
      return b.gains[metric];
  }
}

export async function trends(
  ctx: DomainContext,
  input: {
    range: DateRange;
    filter: PostFilter;
    period: TrendPeriod;
    metric: TrendMetric;
    basis: TrendBasis;
    /** Buckets already computed with the rest of a response (the overview). */
    published?: Map<string, AggregateRow> | undefined;
  },
) {
  const { starts } = periodBounds(input.range, input.period);
  let points: { period_start: string; value: number | null; posts: number }[];
  if (input.basis === 'published') {
    const buckets =
      input.published ??
      (
        await measureGroups(ctx, input.filter, {
          periods: periodBounds(input.range, input.period),
          periodFields: publishedFields[input.metric],
        })
      ).periods;
    points = starts.map((s) => {
      const a = buckets.get(s) ?? emptyAggregate;
      return { period_start: s, value: round2(publishedValue(input.metric, a)), posts: a.posts };
    });
  } else {
    const buckets = await activityBuckets(ctx, input.range, input.filter, input.period, input.metric);
    points = starts.map((s) => {
      const b = buckets.get(s);
      return { period_start: s, value: round2(activityValue(input.metric, b)), posts: b?.posts ?? 0 };
    });
  }
  return {
    period: { start: input.range.start_date, end: input.range.end_date, timezone: input.range.timezone },
    interval: input.period,
    metric: input.metric,
    basis: input.basis,
    basis_description: basisDescriptions[input.basis],
    points,
  };
}
