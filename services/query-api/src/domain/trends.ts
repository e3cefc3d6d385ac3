import { sql as chSql, raw } from '@postpulse/olap';
import { z } from 'zod';
import type { DomainContext } from '../context.js';
import { measureGroups } from './groups.js';
import { percent, round2 } from './math.js';
import { type AggregateRow, emptyAggregate, type PostFilter } from './post-set.js';
import { addDays, type DateRange } from './time.js';

export const trendPeriods = ['daily', 'weekly', 'monthly'] as const;
export type TrendPeriod = (typeof trendPeriods)[number];
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
    'Each value is what was gained in the period: per post, the increase of its lifetime totals from the last observation before the period to the last one in it (from the snapshot history), summed over posts.',
};

/** The first day of the period containing a `YYYY-MM-DD` date: itself, its Monday, or the 1st. */
export function periodStart(date: string, period: TrendPeriod): string {
  if (period === 'daily') return date;
  if (period === 'monthly') return `${date.slice(0, 8)}01`;
  const dow = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday = 0
  return addDays(date, -dow);
}

export function periodStarts(range: DateRange, period: TrendPeriod): string[] {
  const out: string[] = [];
  let d = periodStart(range.start_date, period);
  while (d <= range.end_date) {
    out.push(d);
    d = period === 'daily' ? addDays(d, 1) : period === 'weekly' ? addDays(d, 7) : nextMonth(d);
  }
  return out;
}

function nextMonth(date: string): string {
  const [y, m] = date.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, m ?? 1, 1)).toISOString().slice(0, 10);
}

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

const gainedMetrics = [
  'impressions',
  'reach',
  'clicks',
  'likes_count',
  'comments_count',
  'shares_count',
] as const;
type Gained = (typeof gainedMetrics)[number];

/** Only the columns a metric needs are read: ClickHouse reads columns, so fewer is faster. */
const neededColumns: Record<TrendMetric, readonly Gained[]> = {
  engagement_rate: ['impressions', 'likes_count', 'comments_count', 'shares_count'],
  click_through_rate: ['impressions', 'clicks'],
  total_engagement: ['likes_count', 'comments_count', 'shares_count'],
  likes_count: ['likes_count'],
  comments_count: ['comments_count'],
  shares_count: ['shares_count'],
  impressions: ['impressions'],
  reach: ['reach'],
  clicks: ['clicks'],
  posts: [],
};

const bucketExpr: Record<TrendPeriod, string> = {
  daily: 'toDate',
  weekly: 'toMonday',
  monthly: 'toStartOfMonth',
};

const num = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined ? null : Number(v)));
const activityRow = z.object({
  bucket: z.string(),
  posts: num,
  er_num: num,
  er_den: num,
  ctr_num: num,
  ctr_den: num,
  impressions: num,
  reach: num,
  clicks: num,
  likes_count: num,
  comments_count: num,
  shares_count: num,
});

interface ActivityBucket {
  gains: Record<Gained, number | null>;
  er_num: number;
  er_den: number;
  ctr_num: number;
  ctr_den: number;
  posts: number;
}

/**
 * Per period of activity: per post, the last observation in each period minus the last one before it
 * (before the range: the last observation before `from`; none: counted from zero), summed over posts;
 * `posts` counts the posts observed in the period. Computed inside ClickHouse in one pass per post:
 * rows are first reduced per (post, period) with argMax(tuple(…), version) (the rollup read rule), all
 * rows before `from` collapse into one baseline element, and per-post arrays give the differences
 * (18.16 has no window functions). A post is never observed before its publication, so the scan starts
 * at the earliest publication among the posts observed in the range (one cheap query first), which
 * prunes the months before it; a post with unknown publication time disables that bound.
 */
export async function activityBuckets(
  ctx: DomainContext,
  filter: PostFilter,
  period: TrendPeriod,
  metric: TrendMetric,
): Promise<Map<string, ActivityBucket>> {
  const tz = z.string().min(1).max(64).parse(ctx.timezone);
  const tenant = z.uuid().parse(ctx.tenantId);
  const columns = [...new Set<Gained>([...neededColumns[metric], 'impressions'])];
  const platform = filter.platform ? chSql`AND platform = ${filter.platform}` : raw('');
  const hourFrom = new Date(Math.floor(filter.from.getTime() / 3_600_000) * 3_600_000);
  // query-api: activity, earliest publication among the posts observed in the range
  const first = await ctx.olap.query({
    query: chSql`SELECT count() AS n, toUInt32(min(ifNull(published_at, toDateTime(0, 'UTC')))) AS earliest
      FROM post_metrics_hourly_v1
      WHERE tenant_id = ${tenant} ${platform} AND hour >= ${hourFrom} AND hour < ${filter.to}
        AND observed_at >= ${filter.from} AND observed_at < ${filter.to}`.text,
    format: 'JSONEachRow',
  });
  const [head] = z.array(z.object({ n: num, earliest: num })).parse(await first.json());
  if (!head?.n) return new Map();
  const lowest = new Date(Math.floor(((head.earliest ?? 0) * 1000) / 3_600_000) * 3_600_000);

  const idx = new Map(columns.map((c, i) => [c, i + 2] as const)); // tuple element of each column
  const diff = (c: Gained) =>
    raw(
      `arrayMap(j -> if(j = 1, tupleElement(s[1], ${idx.get(c)}), tupleElement(s[j], ${idx.get(c)}) - tupleElement(s[j - 1], ${idx.get(c)})), arrayEnumerate(s)) AS d_${c}`,
    );
  const d = (c: Gained) => (columns.includes(c) ? `ifNull(d_${c}, 0)` : '0');
  const known = `ifNull(d_impressions, 0) > 0`;
  const sums = raw(
    [
      ...columns.map((c) => `sum(d_${c}) AS ${c}`),
      `sum(if(${known}, ${d('likes_count')} + ${d('comments_count')} + ${d('shares_count')}, 0)) AS er_num`,
      `sum(if(${known}, d_impressions, 0)) AS er_den`,
      `sum(if(${known} AND isNotNull(${columns.includes('clicks') ? 'd_clicks' : 'NULL'}), ${d('clicks')}, 0)) AS ctr_num`,
      `sum(if(${known} AND isNotNull(${columns.includes('clicks') ? 'd_clicks' : 'NULL'}), d_impressions, 0)) AS ctr_den`,
    ].join(', '),
  );
  // query-api: activity per period (gains from snapshot deltas)
  const result = await ctx.olap.query({
    query: chSql`SELECT toString(pb) AS bucket, count() AS posts, ${sums}
      FROM (
        SELECT arraySort(groupArray(tuple(b ${raw(columns.map((c) => `, ${c}`).join(''))}))) AS s,
          arrayMap(t -> tupleElement(t, 1), s) AS bs,
          ${raw(columns.map((c) => diff(c).text).join(', '))}
        FROM (
          SELECT platform, platform_post_id,
            if(observed_at < ${filter.from}, toDate('1970-01-01'), ${raw(bucketExpr[period])}(observed_at, ${tz})) AS b
            ${raw(columns.map((m) => `, tupleElement(argMax(tuple(${m}), version), 1) AS ${m}`).join(''))}
          FROM post_metrics_hourly_v1
          WHERE tenant_id = ${tenant} ${platform} AND hour >= ${lowest} AND hour < ${filter.to}
            AND observed_at < ${filter.to}
          GROUP BY platform, platform_post_id, b
        )
        GROUP BY platform, platform_post_id
        HAVING max(b) > toDate('1970-01-01')
      )
      ARRAY JOIN bs AS pb ${raw(columns.map((c) => `, d_${c}`).join(''))}
      WHERE pb > toDate('1970-01-01')
      GROUP BY pb`.text,
    format: 'JSONEachRow',
  });
  const out = new Map<string, ActivityBucket>();
  for (const r of z.array(activityRow).parse(await result.json())) {
    out.set(r.bucket, {
      gains: {
        impressions: columns.includes('impressions') ? r.impressions : null,
        reach: columns.includes('reach') ? r.reach : null,
        clicks: columns.includes('clicks') ? r.clicks : null,
        likes_count: columns.includes('likes_count') ? r.likes_count : null,
        comments_count: columns.includes('comments_count') ? r.comments_count : null,
        shares_count: columns.includes('shares_count') ? r.shares_count : null,
      },
      er_num: r.er_num ?? 0,
      er_den: r.er_den ?? 0,
      ctr_num: r.ctr_num ?? 0,
      ctr_den: r.ctr_den ?? 0,
      posts: r.posts ?? 0,
    });
  }
  return out;
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
  const starts = periodStarts(input.range, input.period);
  let points: { period_start: string; value: number | null; posts: number }[];
  if (input.basis === 'published') {
    const buckets =
      input.published ?? (await measureGroups(ctx, input.filter, { period: input.period })).periods;
    points = starts.map((s) => {
      const a = buckets.get(s) ?? emptyAggregate;
      return { period_start: s, value: round2(publishedValue(input.metric, a)), posts: a.posts };
    });
  } else {
    const buckets = await activityBuckets(ctx, input.filter, input.period, input.metric);
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
