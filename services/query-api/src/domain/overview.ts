import type { Platform } from '@postpulse/contracts';
import { accountKeyOf, followerRowsOf, precompiledWith } from '@postpulse/db';
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
  ceilUtcHour,
  type DateRange,
  floorUtcHour,
  HOUR_MS,
  offsetSegments,
  periodBounds,
  previousRange,
} from './time.js';
import { postCard, topPostsPart } from './top-posts.js';
import { publishedFields, trends } from './trends.js';

const earlier = (x: Date, y: Date) => (x < y ? x : y);
const later = (x: Date, y: Date) => (x > y ? x : y);

type Slot = RawBuilder<unknown>;
const account = (alias: string) =>
  sql`${sql.ref(`${alias}.tenant_id`)} = acc.tenant_id AND ${sql.ref(`${alias}.platform`)} = acc.platform
    AND ${sql.ref(`${alias}.account_id`)} = acc.account_id`;
/** The first (ASC) or last (DESC) snapshot with followers in [from, to), all within one UTC hour. */
const snapshot = (from: Slot, to: Slot, order: 'ASC' | 'DESC') => sql`(
    SELECT followers_count FROM account_metric_snapshots a
    WHERE ${account('a')} AND a.observed_at >= ${from} AND a.observed_at < ${to}
      AND a.followers_count IS NOT NULL
    ORDER BY a.observed_at ${sql.raw(order)} LIMIT 1)`;
/** The account's first (ASC) or last (DESC) row of `account_followers_hourly` whose hour meets `hours`. */
const hourRow = (column: 'first_followers' | 'last_followers', hours: Slot, order: 'ASC' | 'DESC') => sql`(
    SELECT ${sql.id(column)} FROM account_followers_hourly h
    WHERE ${followerRowsOf('h', 'acc')} AND ${hours} ORDER BY h.hour ${sql.raw(order)} LIMIT 1)`;

/**
 * The statement of `followerGrowthPart`, compiled once per form; each request only binds its values. With
 * every end on the hour (`exact`), each lookup is one row of `account_followers_hourly`; else an end's own
 * hour is looked up in the snapshots first.
 */
const followerGrowthStatement = (exact: boolean) =>
  precompiledWith(
    (
      tenant: Slot,
      platform: Slot,
      prevFrom: Slot,
      prevFromHour: Slot,
      from: Slot,
      fromHour: Slot,
      to: Slot,
      toHour: Slot,
      prevHeadEnd: Slot,
      prevMidStart: Slot,
      prevTailStart: Slot,
      headEnd: Slot,
      midStart: Slot,
      tailStart: Slot,
    ) => {
      /** The last observation before t: in t's own hour (from `hour`, its start), else the last of an earlier hour. */
      const lastBefore = (t: Slot, hour: Slot) =>
        exact
          ? hourRow('last_followers', sql`h.hour < ${t}`, 'DESC')
          : sql`coalesce(${snapshot(hour, t, 'DESC')}, ${hourRow('last_followers', sql`h.hour < ${hour}`, 'DESC')})`;
      /**
       * The first observation in [start, end): in start's hour (up to `head`), else in the first whole hour
       * of [mid, end's hour), else in end's hour (from `tail`).
       */
      const firstIn = (start: Slot, end: Slot, head: Slot, mid: Slot, endHour: Slot, tail: Slot) =>
        exact
          ? hourRow('first_followers', sql`h.hour >= ${start} AND h.hour < ${end}`, 'ASC')
          : sql`coalesce(${snapshot(start, head, 'ASC')},
              ${hourRow('first_followers', sql`h.hour >= ${mid} AND h.hour < ${endHour}`, 'ASC')},
              ${snapshot(tail, end, 'ASC')})`;
      return sql`
    WITH acc AS (
      SELECT tenant_id, platform, account_id, ${accountKeyOf(sql.ref('platform'), sql.ref('account_id'))} AS account_key
      FROM account_metrics_latest WHERE tenant_id = ${tenant} ${platform}
    ),
    ends AS (
      SELECT acc.*, ${lastBefore(prevFrom, prevFromHour)} AS at_prev_from, ${lastBefore(from, fromHour)} AS at_from,
        ${lastBefore(to, toHour)} AS at_to
      FROM acc
    )
    SELECT sum(at_to - coalesce(at_from, ${firstIn(from, to, headEnd, midStart, toHour, tailStart)}))::bigint AS growth,
      sum(at_from - coalesce(at_prev_from, ${firstIn(prevFrom, from, prevHeadEnd, prevMidStart, fromHour, prevTailStart)}))::bigint
        AS previous,
      0 AS ord
    FROM ends acc`;
    },
  );
const followerGrowth = { exact: followerGrowthStatement(true), inexact: followerGrowthStatement(false) };

/** The bounds `followerGrowthStatement` reads a period [start, end) by, besides its ends and their hours. */
const periodHours = (start: Date, end: Date) => ({
  head: earlier(end, ceilUtcHour(start)),
  mid: ceilUtcHour(start),
  tail: later(start, floorUtcHour(end)),
});

/**
 * Per period (this one and `previous`, which ends where this one starts): Σ over accounts of (followers at
 * the last observation before its end) − (followers at the last observation before its start, or else the
 * first one in the period); null when no account reported followers. The observation before the shared
 * instant is looked up once for both. The accounts are the tenant's rows of `account_metrics_latest` (one
 * per account that ever reported). Each lookup is the first row of an index range: in
 * `account_followers_hourly` for the whole UTC hours before an end or between the two, and in the snapshots
 * only within an end's own hour, when it is not on the hour (zones with offsets of half an hour). The
 * part suits a generic plan.
 */
function followerGrowthPart(ctx: DomainContext, f: PostFilter, previous: PostFilter): Part {
  const exact = [previous.from, f.from, f.to].every((t) => t.getTime() % HOUR_MS === 0);
  const prev = periodHours(previous.from, f.from);
  const cur = periodHours(f.from, f.to);
  return part(
    'none',
    followerGrowth[exact ? 'exact' : 'inexact'](
      ctx.tenantId,
      f.platform ? sql`AND platform = ${f.platform}` : sql``,
      previous.from,
      floorUtcHour(previous.from),
      f.from,
      floorUtcHour(f.from),
      f.to,
      floorUtcHour(f.to),
      prev.head,
      prev.mid,
      prev.tail,
      cur.head,
      cur.mid,
      cur.tail,
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

/**
 * The overview's parts, for `queryParts` with `filter` and `previous` (the benchmark of its statement's
 * Postgres cost per part builds them too).
 */
export function overviewParts(
  ctx: DomainContext,
  range: DateRange,
  filter: PostFilter,
  previous: PostFilter,
) {
  return {
    groups: groupsPart(ctx, filter, {
      total: true,
      platforms: true,
      totalFields: summaryFields,
      periods: periodBounds(range, 'daily'),
      periodFields: publishedFields.engagement_rate,
      cells: offsetSegments(filter.from, filter.to, ctx.timezone),
    }),
    previous: groupsPart(ctx, previous, { total: true, totalFields: summaryFields }, 'sp'),
    top: topPostsPart(ctx, filter, 'engagement_rate', 5),
    growth: followerGrowthPart(ctx, filter, previous),
    freshness: dataFreshnessPart(ctx),
  };
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
    overviewParts(ctx, input.range, filter, prevFilter),
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
