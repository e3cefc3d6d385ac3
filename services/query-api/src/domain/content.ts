import { type ContentDimension, latestEngagementRate, lengthBuckets } from '@postpulse/db';
import { sql } from 'kysely';
import type { DomainContext } from '../context.js';
import { percent, round2 } from './math.js';
import {
  type AggregateField,
  aggregateColumns,
  type PostFilter,
  packedPart,
  part,
  queryParts,
} from './post-set.js';
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

/** The (text length, engagement rate) pairs as packed: 12 bytes each, a big-endian int4 and a float8. */
function pairsFrom(bytes: Buffer | null): { lengths: Int32Array; rates: Float64Array } {
  const n = bytes ? bytes.byteLength / 12 : 0;
  const lengths = new Int32Array(n);
  const rates = new Float64Array(n);
  if (bytes) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) {
      lengths[i] = view.getInt32(i * 12);
      rates[i] = view.getFloat64(i * 12 + 4);
    }
  }
  return { lengths, rates };
}

export async function contentPerformance(ctx: DomainContext, filter: PostFilter) {
  const parts = await queryParts(ctx, filter, {
    groups: contentGroupsPart,
    // The pairs (text length, engagement rate) packed as bytes (`int4send`, `float8send`): Postgres
    // writes and the API reads a few thousand of each as bytes, not as text numbers. The covering index
    // of publication times holds every column they need, so reading it is the best plan for any period,
    // and the part joins the groups' statement with its generic plan: one statement instead of two.
    pairs: packedPart(
      'l',
      sql`SELECT int4send(text_length) || float8send(${latestEngagementRate}) AS b
      FROM l WHERE impressions > 0 AND text_length IS NOT NULL`,
      pairsFrom,
      { genericPlan: true },
    ),
  });
  const groups = parts.groups as GroupRow[];
  const of = (dimension: ContentDimension) => groups.filter((g) => g.dimension === dimension);
  const types = of('type').sort((x, y) => (x.key < y.key ? -1 : 1));
  const tags = of('tag').sort((x, y) => y.posts - x.posts || (x.key < y.key ? -1 : 1));
  const byLength = new Map(of('length').map((r) => [r.key, r]));
  const correlation = spearman(parts.pairs.lengths, parts.pairs.rates);
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
