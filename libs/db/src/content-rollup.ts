import { type RawBuilder, sql } from 'kysely';
import { allPlatforms, contribution, type RollupColumn, rollupWriteSql, utcDay } from './post-analytics.js';
import { oncePerKey, precompiled } from './precompiled.js';

/** The text-length buckets content analysis reports, by characters. */
export const lengthBuckets = [
  { bucket: '0-50', min: 0, max: 50 },
  { bucket: '51-100', min: 51, max: 100 },
  { bucket: '101-200', min: 101, max: 200 },
  { bucket: '201-500', min: 201, max: 500 },
  { bucket: '501+', min: 501, max: null },
] as const;

/** What a post is counted under in the content rollup: its content type, length bucket and hashtags. */
export const contentDimensions = ['type', 'length', 'tag'] as const;
export type ContentDimension = (typeof contentDimensions)[number];

/** The key of posts whose content type is not known (not one of the contract's types). */
const unknownContentType = 'unknown';

/** The columns of a content rollup row: the sums content analysis reports, as in `rollupColumns`. */
export const contentRollupColumns = [
  'posts',
  'likes_count',
  'likes_count_n',
  'comments_count',
  'comments_count_n',
  'shares_count',
  'shares_count_n',
  'impressions',
  'impressions_n',
  'er_num',
  'er_den',
] as const satisfies readonly RollupColumn[];

/** One post's contribution to each of its content rollup rows, from its latest row in alias `l`. */
export const contentContribution = (l: string, sign: 1 | -1 = 1) =>
  contribution(contentRollupColumns, l, sign);

/**
 * A lateral join giving each post of the latest rows in alias `l` one row per key it is counted under,
 * as (k.dimension, k.key): its content type, its length bucket (when the text is known) and each of its
 * hashtag keys (lower-cased, once each).
 */
export const contentKeys = oncePerKey((l) => {
  const c = (name: string) => sql.ref(`${l}.${name}`);
  const bucket = sql.raw(
    `CASE ${lengthBuckets
      .map((b) =>
        b.max === null ? `ELSE '${b.bucket}'` : `WHEN ${l}.text_length <= ${b.max} THEN '${b.bucket}'`,
      )
      .join(' ')} END`,
  );
  return precompiled(sql`CROSS JOIN LATERAL (
      SELECT 'type' AS dimension, coalesce(${c('content_type')}, ${sql.lit(unknownContentType)}) AS key
      UNION ALL SELECT 'length', ${bucket} WHERE ${c('text_length')} IS NOT NULL
      UNION ALL SELECT 'tag', tag FROM unnest(${c('hashtag_keys')}) tag
    ) k`);
});

const content = rollupWriteSql(contentRollupColumns);

/**
 * The data-modifying CTEs that add signed contributions to `post_content_rollup_daily`: to their platform's
 * rows and to the `allPlatforms` rows. `rows` yields (tenant_id, platform, day, dimension, key) and the
 * columns of `contentContribution`; they are summed per key first, keys whose sums did not change (a
 * newer observation with the same totals, the usual refresh of an older post) are dropped, and the rest
 * applied in key order, like `rollupWrites`.
 */
export function contentRollupWrites(rows: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    content_rollup_delta AS (
      SELECT tenant_id, coalesce(platform, ${allPlatforms}) AS platform, day, dimension, key, ${content.sums}
      FROM ${rows} AS d
      GROUP BY GROUPING SETS ((tenant_id, platform, day, dimension, key), (tenant_id, day, dimension, key))
      HAVING ${content.changed}
    ),
    content_rollup AS (
      INSERT INTO post_content_rollup_daily AS r (tenant_id, platform, day, dimension, key, ${content.ids})
      SELECT tenant_id, platform, day, dimension, key, ${content.ids} FROM content_rollup_delta
      ORDER BY tenant_id, platform, day, dimension, key
      ON CONFLICT (tenant_id, platform, day, dimension, key) DO UPDATE SET ${content.addToRow}, updated_at = now()
    )`;
}

/**
 * The rows `contentRollupWrites` takes, from latest rows (`source`, read as alias `l`) of posts with a
 * publication time: one per key each post is counted under, its contribution times `sign` (1 to add the
 * post, -1 to take it out).
 */
export const contentRollupRowsOf = (source: RawBuilder<unknown>, l: string, sign: 1 | -1 = 1) =>
  sql`SELECT ${sql.ref(`${l}.tenant_id`)}, ${sql.ref(`${l}.platform`)}, ${utcDay(sql.ref(`${l}.published_at`))} AS day,
      k.dimension, k.key, ${contentContribution(l, sign)}
    FROM ${source} ${sql.id(l)} ${contentKeys(l)} WHERE ${sql.ref(`${l}.published_at`)} IS NOT NULL`;
