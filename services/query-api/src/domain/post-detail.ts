import { type PostMetricName, platforms, postMetricNames } from '@postpulse/contracts';
import { sql as chSql, raw } from '@postpulse/olap';
import { z } from 'zod';
import type { DomainContext } from '../context.js';
import { InvalidParameterError, NotFoundError } from '../errors.js';
import { postRates } from './math.js';
import { preview } from './post-set.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type PostRef = { id: string } | { platform: string; platform_post_id: string };

/** Our post id (a UUID) or `platform:platform_post_id`. */
export function parsePostRef(value: string): PostRef {
  if (UUID.test(value)) return { id: value.toLowerCase() };
  const colon = value.indexOf(':');
  const platform = value.slice(0, colon);
  const rest = value.slice(colon + 1);
  if (
    colon > 0 &&
    (platforms as readonly string[]).includes(platform) &&
    rest.length > 0 &&
    rest.length <= 512
  ) {
    return { platform, platform_post_id: rest };
  }
  throw new InvalidParameterError('post_id', 'expected a post id (UUID) or platform:platform_post_id');
}

const allMetrics = postMetricNames;
type MetricName = PostMetricName;

const HOUR_MS = 3_600_000;
const hourOf = (at: Date) => new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
/** `YYYY-MM-DD hh:mm:ss` (ClickHouse, UTC) as ISO 8601. */
const chTime = (v: string) => `${v.replace(' ', 'T')}Z`;

/**
 * The hours that can hold observations of a post, so ClickHouse skips the monthly partitions outside them
 * instead of reading a granule in each. The aggregator commits Postgres before it writes ClickHouse and
 * only a newer observation replaces the latest row, so no hour is after the latest row's (and a post
 * without one has no history). Nothing is observed before it was published; a post whose publication is
 * not known yet gets no lower bound (first_seen_at is when Postgres first saw it: later than observations
 * that arrive late or out of order).
 */
function historyHours(publishedAt: Date | null, latestObservedAt: Date) {
  return { from: publishedAt ? hourOf(publishedAt) : null, to: hourOf(latestObservedAt) };
}

/** A row of the history query: the hour's newest `[observed_at, ...metrics]`. */
type HistoryRow = [[string, ...(number | null)[]]];

const tenantId = z.uuid();

/**
 * The post's newest row per hour, by the read rule: one argMax over a tuple of every column, so NULLs are
 * kept and all values come from the same row. The tuple comes back as one JSON array per hour (64-bit
 * integers unquoted): half the ClickHouse work of a column per metric, and one JSON.parse in Node.
 */
async function readHistory(
  ctx: DomainContext,
  post: { platform: string; platform_post_id: string },
  hours: { from: Date | null; to: Date },
) {
  const from = hours.from ? chSql`AND hour >= ${hours.from}` : raw('');
  const result = await ctx.olap.query({
    query: chSql`SELECT argMax(tuple(observed_at, ${raw(allMetrics.join(', '))}), version)
      FROM post_metrics_hourly_v1
      WHERE tenant_id = ${tenantId.parse(ctx.tenantId)} AND platform = ${post.platform}
        AND platform_post_id = ${post.platform_post_id} ${from} AND hour <= ${hours.to}
      GROUP BY hour ORDER BY hour`.text,
    format: 'JSONCompact',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  const { data } = await result.json<HistoryRow>();
  return data.map(([[observedAt, ...values]]) => {
    const m = {} as Record<MetricName, number | null>;
    allMetrics.forEach((k, i) => {
      m[k] = values[i] ?? null;
    });
    return { observed_at: chTime(observedAt), ...m, ...postRates(m) };
  });
}

export async function postDetail(ctx: DomainContext, ref: PostRef) {
  // query-api: one post with its latest metrics
  let q = ctx.db
    .selectFrom('posts as p')
    .leftJoin('post_metrics_latest as l', (j) =>
      j
        .onRef('l.tenant_id', '=', 'p.tenant_id')
        .onRef('l.platform', '=', 'p.platform')
        .onRef('l.platform_post_id', '=', 'p.platform_post_id'),
    )
    .select([
      'p.id',
      'p.platform',
      'p.platform_post_id',
      'p.account_id',
      'p.published_at',
      'p.content_type',
      'p.content_text',
      'p.hashtags',
      'p.platform_post_url',
      'l.observed_at',
      ...allMetrics.map((m) => `l.${m}` as const),
    ])
    .where('p.tenant_id', '=', ctx.tenantId);
  q =
    'id' in ref
      ? q.where('p.id', '=', ref.id)
      : q.where('p.platform', '=', ref.platform).where('p.platform_post_id', '=', ref.platform_post_id);
  const post = await q.executeTakeFirst();
  if (!post) throw new NotFoundError('post not found');

  const history = post.observed_at
    ? await readHistory(ctx, post, historyHours(post.published_at, post.observed_at))
    : [];

  const latest = {} as Record<MetricName, number | null>;
  for (const k of allMetrics) latest[k] = post[k] ?? null;
  return {
    id: post.id,
    platform: post.platform,
    platform_post_id: post.platform_post_id,
    account_id: post.account_id,
    published_at: post.published_at ? new Date(post.published_at).toISOString() : null,
    content_type: post.content_type,
    content_preview: preview(post.content_text),
    hashtags: post.hashtags ?? [],
    platform_post_url: post.platform_post_url,
    fetched_at: post.observed_at ? new Date(post.observed_at).toISOString() : null,
    analytics: { ...latest, ...postRates(latest) },
    history: { interval: 'hourly' as const, points: history },
  };
}
