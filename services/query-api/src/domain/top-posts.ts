import { sql } from 'kysely';
import type { DomainContext } from '../context.js';
import { percent, round2 } from './math.js';
import { type PostFilter, preview, queryParts } from './post-set.js';

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

const orderValue: Record<TopPostMetric, ReturnType<typeof sql.raw>> = {
  engagement_rate: sql.raw('er_num::float8 / er_den'),
  likes_count: sql.raw('likes_count'),
  comments_count: sql.raw('comments_count'),
  shares_count: sql.raw('shares_count'),
  impressions: sql.raw('impressions'),
  clicks: sql.raw('clicks'),
  total_engagement: sql.raw('engagements'),
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
 * left out. Ties: newer publication first, then post id ascending, so the order never changes between calls.
 */
export function topPostsPart(metric: TopPostMetric, limit: number) {
  const value = orderValue[metric];
  return sql`
    SELECT id, platform, platform_post_id, content_text, content_type, published_at, likes_count, comments_count,
      shares_count, impressions, reach, clicks, engagements, er_num, er_den,
      row_number() OVER (ORDER BY ${value} DESC, published_at DESC, id ASC) AS ord
    FROM p WHERE ${value} IS NOT NULL
    ORDER BY ${value} DESC, published_at DESC, id ASC
    LIMIT ${limit}`;
}

export async function topPosts(
  ctx: DomainContext,
  input: { filter: PostFilter; metric: TopPostMetric; limit: number },
): Promise<PostCard[]> {
  const { top } = await queryParts(ctx, input.filter, { top: topPostsPart(input.metric, input.limit) });
  return top.map(postCard);
}
