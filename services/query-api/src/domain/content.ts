import { type ContentDimension, latestEngagementRate, lengthBuckets } from '@postpulse/db';
import { sql } from 'kysely';
import type { DomainContext } from '../context.js';
import { percent, round2 } from './math.js';
import { type AggregateField, aggregateColumns, type PostFilter, part, queryParts } from './post-set.js';
import { spearman } from './rank-correlation.js';

/** A hashtag is listed only when at least this many posts of the period used it. */
export const MIN_POSTS_PER_HASHTAG = 3;
export const MAX_HASHTAGS = 50;

const fields = [
  'posts',
  'likes',
  'comments',
  'shares',
  'impressions',
  'er_num',
  'er_den',
] as const satisfies readonly AggregateField[];

interface GroupRow {
  dimension: ContentDimension;
  key: string;
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

/**
 * The sums per content type, length bucket and hashtag, from the content rollup rows (`c`) in one pass,
 * column-wise: hashtags only with the minimum of posts and only the most used. Keys whose posts all
 * moved to other keys keep rows of zeros; they are not listed.
 */
const contentGroupsPart = part(
  'c',
  sql`SELECT * FROM (
      SELECT dimension, key, ${aggregateColumns(fields)},
        row_number() OVER (PARTITION BY dimension ORDER BY sum(posts) DESC, key) AS rank
      FROM c GROUP BY dimension, key
      HAVING sum(posts) >= CASE WHEN dimension = 'tag' THEN ${MIN_POSTS_PER_HASHTAG} ELSE 1 END
    ) g
    WHERE dimension <> 'tag' OR rank <= ${MAX_HASHTAGS}`,
  { columns: ['dimension', 'key', ...fields] },
);

/** The bytes of a bytea as JSON gives it: "\\x" and hex digits. */
function bytesOf(hex: string): DataView {
  const bytes = Buffer.from(hex.slice(2), 'hex');
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The big-endian int4 values packed by `int4send`. */
function int32s(hex: string): Int32Array {
  const view = bytesOf(hex);
  const values = new Int32Array(view.byteLength / 4);
  for (let i = 0; i < values.length; i++) values[i] = view.getInt32(i * 4);
  return values;
}

/** The big-endian float8 values packed by `float8send`. */
function float64s(hex: string): Float64Array {
  const view = bytesOf(hex);
  const values = new Float64Array(view.byteLength / 8);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat64(i * 8);
  return values;
}

export async function contentPerformance(ctx: DomainContext, filter: PostFilter) {
  const parts = await queryParts(ctx, filter, {
    groups: contentGroupsPart,
    // The pairs (text length, engagement rate) packed as bytes (int4send / float8send): Postgres writes
    // and the API reads a few thousand values of each as one hex string, not as text numbers. Planned for
    // its values, beside the groups' statement: a month's posts are read faster by a bitmap of their pages
    // than one by one in index order, which a generic plan (estimating a few hundred rows) chose.
    pairs: part(
      'l',
      sql`SELECT coalesce(string_agg(int4send(text_length), ''::bytea), '') AS lengths,
        coalesce(string_agg(float8send(${latestEngagementRate}), ''::bytea), '') AS rates, 0 AS ord
      FROM l WHERE impressions > 0 AND text_length IS NOT NULL`,
    ),
  });
  const groups = parts.groups as GroupRow[];
  const of = (dimension: ContentDimension) => groups.filter((g) => g.dimension === dimension);
  const types = of('type').sort((x, y) => (x.key < y.key ? -1 : 1));
  const tags = of('tag').sort((x, y) => y.posts - x.posts || (x.key < y.key ? -1 : 1));
  const byLength = new Map(of('length').map((r) => [r.key, r]));
  // An aggregate without GROUP BY: always one row.
  const [{ lengths, rates } = { lengths: '\\x', rates: '\\x' }] = parts.pairs as {
    lengths: string;
    rates: string;
  }[];
  const correlation = spearman(int32s(lengths), float64s(rates));
  return {
    by_content_type: types.map((r) => ({ content_type: r.key, ...stats(r) })),
    by_hashtag: {
      min_posts: MIN_POSTS_PER_HASHTAG,
      hashtags: tags.map((r) => ({ hashtag: r.key, ...stats(r) })),
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
