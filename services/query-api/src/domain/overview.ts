import type { Platform } from '@postpulse/contracts';
import { sql } from 'kysely';
import type { DomainContext } from '../context.js';
import { bestTimesFrom } from './best-times.js';
import { groupsFrom, groupsPart, measureGroups } from './groups.js';
import { percent, round2 } from './math.js';
import {
  type AggregateRow,
  type PostFilter,
  queryParts,
  rangeFilter,
  summaryChange,
  summaryOf,
} from './post-set.js';
import { type DateRange, previousRange } from './time.js';
import { postCard, topPostsPart } from './top-posts.js';
import { trends } from './trends.js';

/**
 * Σ over accounts of (followers at the last observation before `to`) − (followers at the last observation
 * before `from`, or else the first one in the period). Null when no account reported followers.
 */
export async function followerGrowth(ctx: DomainContext, f: PostFilter): Promise<number | null> {
  const platform = f.platform ? sql`AND platform = ${f.platform}` : sql``;
  // query-api: follower growth over a period
  const { rows } = await sql<{ growth: number | null }>`
    WITH acc AS (
      SELECT DISTINCT platform, account_id FROM account_metric_snapshots
      WHERE tenant_id = ${ctx.tenantId} AND observed_at < ${f.to} AND followers_count IS NOT NULL ${platform}
    )
    SELECT sum(e.f - b.f)::bigint AS growth FROM acc
    CROSS JOIN LATERAL (
      SELECT followers_count AS f FROM account_metric_snapshots s
      WHERE s.tenant_id = ${ctx.tenantId} AND s.platform = acc.platform AND s.account_id = acc.account_id
        AND s.observed_at < ${f.to} AND s.followers_count IS NOT NULL
      ORDER BY s.observed_at DESC LIMIT 1) e
    CROSS JOIN LATERAL (
      SELECT followers_count AS f FROM account_metric_snapshots s
      WHERE s.tenant_id = ${ctx.tenantId} AND s.platform = acc.platform AND s.account_id = acc.account_id
        AND s.observed_at < ${f.to} AND s.followers_count IS NOT NULL
      ORDER BY (s.observed_at >= ${f.from}), CASE WHEN s.observed_at < ${f.from} THEN s.observed_at END DESC,
        s.observed_at ASC
      LIMIT 1) b`.execute(ctx.db);
  return rows[0]?.growth ?? null;
}

/** The newest observation per platform, whatever the period: how fresh the numbers are. */
export async function dataFreshness(ctx: DomainContext) {
  // query-api: data freshness
  const rows = await ctx.db
    .selectFrom('post_freshness')
    .select(['platform', 'last_observed_at'])
    .where('tenant_id', '=', ctx.tenantId)
    .orderBy('platform')
    .execute();
  return rows.map((r) => ({
    platform: r.platform,
    last_observed_at: new Date(r.last_observed_at).toISOString(),
  }));
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
  const [parts, previous, growth, prevGrowth, freshness] = await Promise.all([
    queryParts(ctx, filter, {
      groups: groupsPart(ctx, { total: true, platforms: true, period: 'daily', cells: true }),
      top: topPostsPart(ctx, 'engagement_rate', 5),
    }),
    measureGroups(ctx, prevFilter, { total: true }),
    followerGrowth(ctx, filter),
    followerGrowth(ctx, prevFilter),
    dataFreshness(ctx),
  ]);
  const current = groupsFrom(parts.groups);
  const trend = await trends(ctx, {
    range: input.range,
    filter,
    period: 'daily',
    metric: 'engagement_rate',
    basis: 'published',
    published: current.periods,
  });
  const times = bestTimesFrom(current.cells);
  const top = parts.top.map(postCard);
  const best = times.recommendations[0];
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
          min_posts_per_slot: times.min_posts_per_slot,
        }
      : null,
    top_posts: top,
    data_freshness: freshness,
  };
}
