import { latestEngagementRate, postMeasures } from '@postpulse/db';
import { sql } from 'kysely';
import type { DomainContext } from '../context.js';
import { percent, round2 } from './math.js';
import { type PostFilter, part, preview, queryParts, rankedColumns, readsDayTops } from './post-set.js';

export const topPostMetrics = [
  'engagement_rate',
  'likes_count',
  'comments_count',
  'shares_count',
  'impressions',
  'clicks',
  'total_engagement',
] as const;
export type TopPostMetric = (typeof topPostMetrics)[number];

const engagements = 'coalesce(likes_count, 0) + coalesce(comments_count, 0) + coalesce(shares_count, 0)';
/** Each metric from a post's latest totals as stored, so ranking reads nothing else. */
const orderValue: Record<TopPostMetric, ReturnType<typeof sql.raw>> = {
  engagement_rate: latestEngagementRate,
  likes_count: sql.raw('likes_count'),
  comments_count: sql.raw('comments_count'),
  shares_count: sql.raw('shares_count'),
  impressions: sql.raw('impressions'),
  clicks: sql.raw('clicks'),
  total_engagement: sql.raw(
    `CASE WHEN likes_count IS NULL AND comments_count IS NULL AND shares_count IS NULL THEN NULL ELSE ${engagements} END`,
  ),
};

interface TopRow {
  id: string;
  platform: string;
  platform_post_id: string;
  content_text: string | null;
  content_type: string | null;
  published_at: Date | string;
  likes_count: number | null;
  comments_count: number | null;
  shares_count: number | null;
  impressions: number | null;
  reach: number | null;
  clicks: number | null;
  engagements: number | null;
  er_num: number | null;
  er_den: number | null;
}

export function postCard(input: unknown) {
  const r = input as TopRow;
  return {
    id: r.id,
    platform: r.platform,
    platform_post_id: r.platform_post_id,
    content_preview: preview(r.content_text),
    content_type: r.content_type,
    published_at: new Date(r.published_at).toISOString(),
    engagement_rate: round2(percent(r.er_num, r.er_den)),
    likes_count: r.likes_count,
    comments_count: r.comments_count,
    shares_count: r.shares_count,
    impressions: r.impressions,
    reach: r.reach,
    clicks: r.clicks,
    total_engagement: r.engagements,
  };
}

export type PostCard = ReturnType<typeof postCard>;

/**
 * The posts of the period ranked by the metric, highest first; posts without a value for the metric are
 * left out. Ties: newer publication first, then platform and platform post id, so the order never changes
 * between calls. Only the winners are joined with `posts` for their id and text. The ranking reads:
 * - for the first few by engagement rate in a period up to about three months (`readsDayTops`: the
 *   overview's five), each whole UTC day's first ones and the posts of the partial days (`tp`), by key
 *   whatever the period, so the part joins the generic statement;
 * - else the narrow latest totals (`l`), by engagement rate in the order of an index on it (NULLS LAST, as
 *   the index has them), else with a top-N sort: a plan for the period's bounds.
 */
export function topPostsPart(ctx: DomainContext, f: PostFilter, metric: TopPostMetric, limit: number) {
  const value = orderValue[metric];
  const [reads, ranked] =
    metric === 'engagement_rate' && readsDayTops(f, limit)
      ? (['tp', sql`SELECT * FROM tp`] as const)
      : (['l', sql`SELECT ${rankedColumns}, ${value} AS v FROM l WHERE ${value} IS NOT NULL`] as const);
  return part(
    reads,
    sql`
    SELECT p.id, t.platform, t.platform_post_id, p.content_text, p.content_type, t.published_at,
      ${postMeasures('t')},
      row_number() OVER (ORDER BY t.v DESC, t.published_at DESC, t.platform, t.platform_post_id) AS ord
    FROM (${ranked} ORDER BY v DESC NULLS LAST, published_at DESC, platform, platform_post_id LIMIT ${limit}) t
    JOIN posts p
      ON p.tenant_id = ${ctx.tenantId} AND p.platform = t.platform AND p.platform_post_id = t.platform_post_id`,
  );
}

export async function topPosts(
  ctx: DomainContext,
  input: { filter: PostFilter; metric: TopPostMetric; limit: number },
): Promise<PostCard[]> {
  const { top } = await queryParts(ctx, input.filter, {
    top: topPostsPart(ctx, input.filter, input.metric, input.limit),
  });
  return top.map(postCard);
}
