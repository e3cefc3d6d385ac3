import { sql } from 'kysely';
import type { DomainContext } from '../context.js';
import { percent, round2, spearman } from './math.js';
import {
  type AggregateRow,
  aggregateColumns,
  type PostFilter,
  part,
  queryParts,
  summaryOf,
} from './post-set.js';

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

const stats = (a: AggregateRow) => {
  const s = summaryOf(a);
  return {
    posts: a.posts,
    total_likes: s.total_likes,
    total_comments: s.total_comments,
    total_shares: s.total_shares,
    total_impressions: s.total_impressions,
    avg_engagement_rate: s.avg_engagement_rate,
  };
};

export async function contentPerformance(ctx: DomainContext, filter: PostFilter) {
  const bucketCase = sql.raw(
    `CASE ${lengthBuckets
      .map((b) => (b.max === null ? `ELSE '${b.bucket}'` : `WHEN text_length <= ${b.max} THEN '${b.bucket}'`))
      .join(' ')} END`,
  );
  const parts = await queryParts(ctx, filter, {
    types: part('p', sql`SELECT content_type, 0 AS ord, ${aggregateColumns} FROM p GROUP BY 1`),
    // Each post counts once per hashtag, however it was capitalised or repeated.
    tags: part(
      'p',
      sql`SELECT hashtag, row_number() OVER (ORDER BY count(*) DESC, hashtag) AS ord, ${aggregateColumns}
      FROM p CROSS JOIN LATERAL (SELECT DISTINCT lower(t) AS hashtag FROM unnest(p.hashtags) AS t) h
      GROUP BY hashtag HAVING count(*) >= ${MIN_POSTS_PER_HASHTAG}
      ORDER BY count(*) DESC, hashtag LIMIT ${MAX_HASHTAGS}`,
    ),
    lengths: part(
      'p',
      sql`SELECT ${bucketCase} AS bucket, 0 AS ord, ${aggregateColumns} FROM p
      WHERE text_length IS NOT NULL GROUP BY 1`,
    ),
    pairs: part(
      'p',
      sql`SELECT text_length AS len, er_num::float8 / er_den AS er, 0 AS ord FROM p
      WHERE text_length IS NOT NULL AND er_den > 0`,
    ),
  });
  const types = {
    rows: (parts.types as (AggregateRow & { content_type: string | null })[]).sort((x, y) =>
      (x.content_type ?? '~') < (y.content_type ?? '~') ? -1 : 1,
    ),
  };
  const tags = { rows: parts.tags as (AggregateRow & { hashtag: string })[] };
  const lengths = { rows: parts.lengths as (AggregateRow & { bucket: string })[] };
  const pairs = { rows: parts.pairs as { len: number; er: number }[] };
  const byLength = new Map(lengths.rows.map((r) => [r.bucket, r]));
  const rho = spearman(
    pairs.rows.map((r) => r.len),
    pairs.rows.map((r) => r.er),
  );
  return {
    by_content_type: types.rows.map((r) => ({ content_type: r.content_type ?? 'unknown', ...stats(r) })),
    by_hashtag: {
      min_posts: MIN_POSTS_PER_HASHTAG,
      hashtags: tags.rows.map((r) => ({ hashtag: r.hashtag, ...stats(r) })),
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
      posts: pairs.rows.length,
      rho: round2(rho),
    },
  };
}
