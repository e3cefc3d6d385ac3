import type { Platform } from '@postpulse/contracts';
import { precompiledWith } from '@postpulse/db';
import { type RawBuilder, sql } from 'kysely';
import type { DomainContext } from '../context.js';
import { bestSlot, MIN_POSTS_PER_SLOT } from './best-times.js';
import { groupsPart } from './groups.js';
import { percent, round2 } from './math.js';
import {
  type AggregateRow,
  type Part,
  type PostFilter,
  part,
  queryParts,
  rangeFilter,
  summaryChange,
  summaryFields,
  summaryOf,
} from './post-set.js';
import {
  ceilUtcDay,
  type DateRange,
  floorUtcDay,
  offsetSegments,
  periodBounds,
  previousRange,
} from './time.js';
import { postCard, topPostsPart } from './top-posts.js';
import { publishedFields, trends } from './trends.js';

const earlier = (x: Date, y: Date) => (x < y ? x : y);
const later = (x: Date, y: Date) => (x > y ? x : y);

const account = (alias: string) =>
  sql`${sql.ref(`${alias}.tenant_id`)} = acc.tenant_id AND ${sql.ref(`${alias}.platform`)} = acc.platform
    AND ${sql.ref(`${alias}.account_id`)} = acc.account_id`;
type Slot = RawBuilder<unknown>;
/** The first (ASC) or last (DESC) snapshot with followers in [from, to), all within one UTC day. */
const snapshot = (from: Slot, to: Slot, order: 'ASC' | 'DESC') => sql`(
    SELECT followers_count FROM account_metric_snapshots a
    WHERE ${account('a')} AND a.observed_at >= ${from} AND a.observed_at < ${to}
      AND a.followers_count IS NOT NULL
    ORDER BY a.observed_at ${sql.raw(order)} LIMIT 1)`;
/** The last observation before t: in t's own day (from `day`, its start), else the last of an earlier day. */
const lastBefore = (t: Slot, day: Slot) => sql`coalesce(${snapshot(day, t, 'DESC')}, (
    SELECT last_followers FROM account_followers_daily d
    WHERE ${account('d')} AND d.day < ${day} ORDER BY d.day DESC LIMIT 1))`;

/** The first snapshot with followers in [from, to), else the first daily row of [fromNextDay, toDay), else the first snapshot in [tailStart, to). */
const firstIn = (from: Slot, fromNextDay: Slot, headEnd: Slot, tailStart: Slot, to: Slot, toDay: Slot) =>
  sql`coalesce(${snapshot(from, headEnd, 'ASC')}, (
    SELECT first_followers FROM account_followers_daily d
    WHERE ${account('d')} AND d.day >= ${fromNextDay} AND d.day < ${toDay} ORDER BY d.day LIMIT 1),
    ${snapshot(tailStart, to, 'ASC')})`;

/** The statement of `followerGrowthPart`, compiled once; each request only binds its values. */
const followerGrowth = precompiledWith(
  (
    tenant: Slot,
    platform: Slot,
    prevFrom: Slot,
    prevFromDay: Slot,
    prevFromNextDay: Slot,
    prevHeadEnd: Slot,
    prevTailStart: Slot,
    from: Slot,
    fromDay: Slot,
    fromNextDay: Slot,
    headEnd: Slot,
    tailStart: Slot,
    to: Slot,
    toDay: Slot,
  ) => sql`
    WITH acc AS (
      SELECT tenant_id, platform, account_id FROM account_metrics_latest
      WHERE tenant_id = ${tenant} ${platform}
    ),
    ends AS (
      SELECT acc.*, ${lastBefore(prevFrom, prevFromDay)} AS at_prev_from, ${lastBefore(from, fromDay)} AS at_from,
        ${lastBefore(to, toDay)} AS at_to
      FROM acc
    )
    SELECT sum(at_to - coalesce(at_from, ${firstIn(from, fromNextDay, headEnd, tailStart, to, toDay)}))::bigint AS growth,
      sum(at_from - coalesce(at_prev_from, ${firstIn(prevFrom, prevFromNextDay, prevHeadEnd, prevTailStart, from, fromDay)}))::bigint
        AS previous,
      0 AS ord
    FROM ends acc`,
);

/** The slots of one period's start and end in `followerGrowth`. */
const periodEnds = (from: Date, to: Date) => ({
  from,
  fromDay: floorUtcDay(from),
  fromNextDay: ceilUtcDay(from),
  headEnd: earlier(to, ceilUtcDay(from)),
  tailStart: later(from, floorUtcDay(to)),
});

/**
 * Per period (this one and `previous`, which ends where this one starts): Σ over accounts of (followers at
 * the last observation before its end) − (followers at the last observation before its start, or else the
 * first one in the period); null when no account reported followers. The observation before the shared
 * instant is looked up once for both. The accounts are the tenant's rows of `account_metrics_latest` (one
 * per account that ever reported). Each lookup is the first row of an index range: in the snapshots only
 * within one UTC day (an end's own day, so one monthly partition is opened), and in
 * `account_followers_daily` for the whole UTC days before an end or between the two. The first
 * observation in a period is looked for in its start's day, else in the first whole day between, else in
 * its end's day. The part suits a generic plan.
 */
function followerGrowthPart(ctx: DomainContext, f: PostFilter, previous: PostFilter): Part {
  const prev = periodEnds(previous.from, f.from);
  const cur = periodEnds(f.from, f.to);
  return part(
    'none',
    followerGrowth(
      ctx.tenantId,
      f.platform ? sql`AND platform = ${f.platform}` : sql``,
      prev.from,
      prev.fromDay,
      prev.fromNextDay,
      prev.headEnd,
      prev.tailStart,
      cur.from,
      cur.fromDay,
      cur.fromNextDay,
      cur.headEnd,
      cur.tailStart,
      f.to,
      floorUtcDay(f.to),
    ),
    { genericPlan: true },
  );
}

/** The newest observation per platform, whatever the period: how fresh the numbers are. */
function dataFreshnessPart(ctx: DomainContext): Part {
  return part(
    'none',
    sql`SELECT platform, last_observed_at, row_number() OVER (ORDER BY platform) AS ord
      FROM post_freshness WHERE tenant_id = ${ctx.tenantId}`,
    { genericPlan: true },
  );
}

export function platformBreakdown(
  total: AggregateRow,
  platforms: readonly (AggregateRow & { platform: string })[],
) {
  return platforms.map((p) => ({
    platform: p.platform,
    ...summaryOf(p),
    share_of_posts: round2(percent(p.posts, total.posts)),
  }));
}

export async function overview(
  ctx: DomainContext,
  input: { range: DateRange; platform?: Platform | undefined },
) {
  const filter = rangeFilter(input.range, input.platform);
  const prev = previousRange(input.range);
  const prevFilter = rangeFilter(prev, input.platform);
  // One statement, one round trip: every part reads the period's rows once.
  const parts = await queryParts(
    ctx,
    filter,
    {
      groups: groupsPart(ctx, filter, {
        total: true,
        platforms: true,
        totalFields: summaryFields,
        periods: periodBounds(input.range, 'daily'),
        periodFields: publishedFields.engagement_rate,
        cells: offsetSegments(filter.from, filter.to, ctx.timezone),
      }),
      previous: groupsPart(ctx, prevFilter, { total: true, totalFields: summaryFields }, 'sp'),
      top: topPostsPart(ctx, filter, 'engagement_rate', 5),
      growth: followerGrowthPart(ctx, filter, prevFilter),
      freshness: dataFreshnessPart(ctx),
    },
    prevFilter,
  );
  const previous = parts.previous;
  const growths = parts.growth[0] as { growth: number | null; previous: number | null } | undefined;
  const growth = growths?.growth ?? null;
  const prevGrowth = growths?.previous ?? null;
  const freshness = (parts.freshness as { platform: string; last_observed_at: string }[]).map((r) => ({
    platform: r.platform,
    last_observed_at: new Date(r.last_observed_at).toISOString(),
  }));
  const current = parts.groups;
  const trend = await trends(ctx, {
    range: input.range,
    filter,
    period: 'daily',
    metric: 'engagement_rate',
    basis: 'published',
    published: current.periods,
  });
  const top = parts.top.map(postCard);
  const best = bestSlot(current.cells);
  const curSummary = { ...summaryOf(current.total), follower_growth: growth };
  const prevSummary = { ...summaryOf(previous.total), follower_growth: prevGrowth };
  return {
    period: { start: input.range.start_date, end: input.range.end_date, timezone: input.range.timezone },
    summary: curSummary,
    previous_period: {
      period: { start: prev.start_date, end: prev.end_date, timezone: prev.timezone },
      summary: prevSummary,
      change_pct: {
        ...summaryChange(current.total, previous.total),
        follower_growth:
          growth === null || prevGrowth === null || prevGrowth === 0
            ? null
            : round2(((growth - prevGrowth) / Math.abs(prevGrowth)) * 100),
      },
    },
    by_platform: platformBreakdown(current.total, current.platforms),
    trends: trend.points.map((p) => ({ date: p.period_start, engagement_rate: p.value, posts: p.posts })),
    best_times: best
      ? {
          day_of_week: best.day_of_week,
          hour_of_day: best.hour_of_day,
          engagement_rate: best.engagement_rate,
          posts: best.posts,
          min_posts_per_slot: MIN_POSTS_PER_SLOT,
        }
      : null,
    top_posts: top,
    data_freshness: freshness,
  };
}
