import { sql } from 'kysely';
import type { DomainContext } from '../context.js';
import { percent, round2 } from './math.js';
import { type PostFilter, part, queryParts } from './post-set.js';
import { spearman } from './rank-correlation.js';

/** A hashtag is listed only when at least this many posts of the period used it. */
export const MIN_POSTS_PER_HASHTAG = 3;
export const MAX_HASHTAGS = 50;
export const lengthBuckets = [
  { bucket: '0-50', min: 0, max: 50 },
  { bucket: '51-100', min: 51, max: 100 },
  { bucket: '101-200', min: 101, max: 200 },
  { bucket: '201-500', min: 201, max: 500 },
  { bucket: '501+', min: 501, max: null },
] as const;

/** Sums over a group of the content rows (`p`): a total is null when no post in it reported the metric. */
const groupColumns = sql`count(*)::int AS posts, sum(likes_count)::bigint AS likes,
  sum(comments_count)::bigint AS comments, sum(shares_count)::bigint AS shares,
  sum(impressions)::bigint AS impressions, sum(er_num)::bigint AS er_num, sum(er_den)::bigint AS er_den`;

interface GroupRow {
  posts: number;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  impressions: number | null;
  er_num: number | null;
  er_den: number | null;
}

const stats = (r: GroupRow) => ({
  posts: r.posts,
  total_likes: r.likes,
  total_comments: r.comments,
  total_shares: r.shares,
  total_impressions: r.impressions,
  avg_engagement_rate: round2(percent(r.er_num, r.er_den)),
});

export async function contentPerformance(ctx: DomainContext, filter: PostFilter) {
  const bucketCase = sql.raw(
    `CASE ${lengthBuckets
      .map((b) => (b.max === null ? `ELSE '${b.bucket}'` : `WHEN text_length <= ${b.max} THEN '${b.bucket}'`))
      .join(' ')} END`,
  );
  const parts = await queryParts(ctx, filter, {
    types: part('p', sql`SELECT content_type, 0 AS ord, ${groupColumns} FROM p GROUP BY 1`),
    // hashtag_keys holds each post's hashtags once, lower-cased. unnest() in the select list costs less per
    // post than a lateral function scan.
    tags: part(
      'p',
      sql`SELECT hashtag, row_number() OVER (ORDER BY count(*) DESC, hashtag) AS ord, ${groupColumns}
      FROM (SELECT unnest(hashtag_keys) AS hashtag, likes_count, comments_count, shares_count, impressions,
          er_num, er_den FROM p) t
      GROUP BY hashtag HAVING count(*) >= ${MIN_POSTS_PER_HASHTAG}
      ORDER BY count(*) DESC, hashtag LIMIT ${MAX_HASHTAGS}`,
    ),
    lengths: part(
      'p',
      sql`SELECT ${bucketCase} AS bucket, 0 AS ord, ${groupColumns} FROM p
      WHERE text_length IS NOT NULL GROUP BY 1`,
    ),
    // The pairs (text length, engagement rate) as three arrays: one JSON type lookup per array, not per value.
    pairs: part(
      'p',
      sql`SELECT coalesce(array_agg(text_length), '{}') AS lengths, coalesce(array_agg(er_num), '{}') AS nums,
        coalesce(array_agg(er_den), '{}') AS dens, 0 AS ord
      FROM p WHERE er_den > 0 AND text_length IS NOT NULL`,
    ),
  });
  const types = (parts.types as (GroupRow & { content_type: string | null })[]).sort((x, y) =>
    (x.content_type ?? '~') < (y.content_type ?? '~') ? -1 : 1,
  );
  const tags = parts.tags as (GroupRow & { hashtag: string })[];
  const byLength = new Map((parts.lengths as (GroupRow & { bucket: string })[]).map((r) => [r.bucket, r]));
  // An aggregate without GROUP BY: always one row.
  const [{ lengths, nums, dens } = { lengths: [], nums: [], dens: [] }] = parts.pairs as {
    lengths: number[];
    nums: number[];
    dens: number[];
  }[];
  const correlation = spearman(
    Float64Array.from(lengths),
    Float64Array.from(nums, (v, i) => v / (dens[i] ?? 1)),
  );
  return {
    by_content_type: types.map((r) => ({ content_type: r.content_type ?? 'unknown', ...stats(r) })),
    by_hashtag: {
      min_posts: MIN_POSTS_PER_HASHTAG,
      hashtags: tags.map((r) => ({ hashtag: r.hashtag, ...stats(r) })),
    },
    by_text_length: lengthBuckets.map((b) => {
      const r = byLength.get(b.bucket);
      return {
        bucket: b.bucket,
        min_chars: b.min,
        max_chars: b.max,
        posts: r?.posts ?? 0,
        avg_engagement_rate: r ? round2(percent(r.er_num, r.er_den)) : null,
      };
    }),
    length_engagement_correlation: {
      method: 'spearman' as const,
      posts: correlation.n,
      rho: round2(correlation.rho),
    },
  };
}
