import type { Platform } from '@postpulse/contracts';
import { type RawBuilder, sql } from 'kysely';
import type { DomainContext } from '../context.js';
import { changePct, percent, round2 } from './math.js';
import type { DateRange } from './time.js';

export interface PostFilter {
  from: Date;
  to: Date;
  platform?: Platform | undefined;
}

export const rangeFilter = (range: DateRange, platform?: Platform): PostFilter => ({
  from: range.from,
  to: range.to,
  platform,
});

/**
 * The posts published in [from, to) with their latest lifetime totals, as a CTE named `p`. Per post:
 * `er_num`/`er_den` are its engagements and impressions when impressions are known (> 0), else null, so
 * Σer_num / Σer_den is the engagement rate over the posts whose impressions are known; likewise
 * `ctr_num`/`ctr_den` for clicks. The tenant condition is here, once, for every analytics query.
 */
export function postSetCte(ctx: DomainContext, f: PostFilter): RawBuilder<unknown> {
  const platform = f.platform ? sql`AND p.platform = ${f.platform}` : sql``;
  return sql`p AS MATERIALIZED (
    SELECT p.id, p.platform, p.platform_post_id, p.published_at, p.content_type, p.content_text, p.hashtags,
      l.observed_at, l.impressions, l.reach, l.clicks, l.likes_count, l.comments_count, l.shares_count,
      CASE WHEN l.likes_count IS NULL AND l.comments_count IS NULL AND l.shares_count IS NULL THEN NULL
           ELSE coalesce(l.likes_count, 0) + coalesce(l.comments_count, 0) + coalesce(l.shares_count, 0)
      END AS engagements,
      CASE WHEN l.impressions > 0
           THEN coalesce(l.likes_count, 0) + coalesce(l.comments_count, 0) + coalesce(l.shares_count, 0) END AS er_num,
      CASE WHEN l.impressions > 0 THEN l.impressions END AS er_den,
      CASE WHEN l.impressions > 0 AND l.clicks IS NOT NULL THEN l.clicks END AS ctr_num,
      CASE WHEN l.impressions > 0 AND l.clicks IS NOT NULL THEN l.impressions END AS ctr_den
    FROM posts p
    -- LATERAL … LIMIT 1 (never flattened into a hash join): one primary-key lookup per post of the period,
    -- however large the tenant's table of latest totals is.
    LEFT JOIN LATERAL (
      SELECT l.observed_at, l.impressions, l.reach, l.clicks, l.likes_count, l.comments_count, l.shares_count
      FROM post_metrics_latest l
      WHERE l.tenant_id = p.tenant_id AND l.platform = p.platform AND l.platform_post_id = p.platform_post_id
      LIMIT 1
    ) l ON true
    WHERE p.tenant_id = ${ctx.tenantId} AND p.published_at >= ${f.from} AND p.published_at < ${f.to} ${platform}
  )`;
}

/** Sums over the rows of `p` in scope; bigint sums come back as numbers (see @postpulse/db). */
export const aggregateColumns = sql`
  count(*)::int AS posts,
  sum(likes_count)::bigint AS likes, sum(comments_count)::bigint AS comments,
  sum(shares_count)::bigint AS shares, sum(impressions)::bigint AS impressions,
  sum(reach)::bigint AS reach, sum(clicks)::bigint AS clicks, sum(engagements)::bigint AS engagements,
  sum(er_num)::bigint AS er_num, sum(er_den)::bigint AS er_den,
  sum(ctr_num)::bigint AS ctr_num, sum(ctr_den)::bigint AS ctr_den`;

export interface AggregateRow {
  posts: number;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  impressions: number | null;
  reach: number | null;
  clicks: number | null;
  engagements: number | null;
  er_num: number | null;
  er_den: number | null;
  ctr_num: number | null;
  ctr_den: number | null;
}

export const emptyAggregate: AggregateRow = {
  posts: 0,
  likes: null,
  comments: null,
  shares: null,
  impressions: null,
  reach: null,
  clicks: null,
  engagements: null,
  er_num: null,
  er_den: null,
  ctr_num: null,
  ctr_den: null,
};

/** A total: 0 when there are no posts, null when posts exist but none reported the metric. */
const total = (posts: number, v: number | null) => (posts === 0 ? 0 : v);

export function summaryOf(row: AggregateRow) {
  return {
    total_posts: row.posts,
    total_likes: total(row.posts, row.likes),
    total_comments: total(row.posts, row.comments),
    total_shares: total(row.posts, row.shares),
    total_engagements: total(row.posts, row.engagements),
    total_impressions: total(row.posts, row.impressions),
    total_reach: total(row.posts, row.reach),
    total_clicks: total(row.posts, row.clicks),
    avg_engagement_rate: round2(percent(row.er_num, row.er_den)),
    click_through_rate: round2(percent(row.ctr_num, row.ctr_den)),
  };
}

export type Summary = ReturnType<typeof summaryOf>;

/** Change in % per numeric summary field (null when the previous value is unknown or zero). */
export function summaryChange(current: AggregateRow, previous: AggregateRow) {
  const rateCur = percent(current.er_num, current.er_den);
  const ratePrev = percent(previous.er_num, previous.er_den);
  const ctrCur = percent(current.ctr_num, current.ctr_den);
  const ctrPrev = percent(previous.ctr_num, previous.ctr_den);
  return {
    total_posts: round2(changePct(current.posts, previous.posts)),
    total_likes: round2(changePct(current.likes, previous.likes)),
    total_comments: round2(changePct(current.comments, previous.comments)),
    total_shares: round2(changePct(current.shares, previous.shares)),
    total_engagements: round2(changePct(current.engagements, previous.engagements)),
    total_impressions: round2(changePct(current.impressions, previous.impressions)),
    total_reach: round2(changePct(current.reach, previous.reach)),
    total_clicks: round2(changePct(current.clicks, previous.clicks)),
    avg_engagement_rate: round2(changePct(rateCur, ratePrev)),
    click_through_rate: round2(changePct(ctrCur, ctrPrev)),
  };
}

export async function aggregate(ctx: DomainContext, f: PostFilter): Promise<AggregateRow> {
  // query-api: aggregate posts of a period
  const { rows } =
    await sql<AggregateRow>`WITH ${postSetCte(ctx, f)} SELECT ${aggregateColumns} FROM p`.execute(ctx.db);
  return rows[0] ?? emptyAggregate;
}

/**
 * Runs several SELECTs over the same post set `p` in one statement: the set is computed (joined with the
 * latest totals) once, and each part comes back as a JSON array. A part may order its rows with a column
 * `ord`; JSON turns bigint sums into numbers and timestamps into ISO strings.
 */
export async function queryParts<K extends string>(
  ctx: DomainContext,
  f: PostFilter,
  parts: Record<K, RawBuilder<unknown>>,
): Promise<Record<K, unknown[]>> {
  const columns = (Object.entries(parts) as [K, RawBuilder<unknown>][]).map(
    ([name, q]) =>
      sql`(SELECT coalesce(json_agg(x ORDER BY x.ord), '[]'::json) FROM (${q}) x) AS ${sql.ref(name)}`,
  );
  // query-api: analytics of one post set (several parts in one statement)
  const { rows } = await sql<
    Record<K, unknown[]>
  >`WITH ${postSetCte(ctx, f)} SELECT ${sql.join(columns)}`.execute(ctx.db);
  const row = rows[0];
  if (!row) throw new Error('analytics query returned no row');
  return row;
}

export const byPlatformPart = sql`
  SELECT platform, GROUPING(platform) AS g, 0 AS ord, ${aggregateColumns} FROM p
  GROUP BY GROUPING SETS ((), (platform))`;

export function byPlatformFrom(rows: readonly unknown[]): {
  total: AggregateRow;
  platforms: (AggregateRow & { platform: string })[];
} {
  const typed = rows as (AggregateRow & { platform: string | null; g: number })[];
  const total = typed.find((r) => r.g === 1) ?? emptyAggregate;
  const platforms = typed
    .filter((r): r is AggregateRow & { platform: string; g: number } => r.g === 0 && r.platform !== null)
    .sort((a, b) => (a.platform < b.platform ? -1 : 1))
    .map(({ g: _g, ord: _o, ...r }: AggregateRow & { platform: string; g: number; ord?: number }) => r);
  return { total, platforms };
}

export async function aggregateByPlatform(
  ctx: DomainContext,
  f: PostFilter,
): Promise<{ total: AggregateRow; platforms: (AggregateRow & { platform: string })[] }> {
  const parts = await queryParts(ctx, f, { rows: byPlatformPart });
  return byPlatformFrom(parts.rows);
}

/** Post preview: the first 100 characters of the text, cut at a character (not a UTF-16 unit). */
export function preview(text: string | null): string | null {
  if (text === null) return null;
  const chars = [...text];
  return chars.length <= 100 ? text : `${chars.slice(0, 100).join('')}…`;
}
