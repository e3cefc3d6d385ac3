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

const count = z.union([z.number(), z.string(), z.null()]).transform((v) => (v === null ? null : Number(v)));
const historyRow = z.object({
  hour: z.string(),
  observed_at: z.string(),
  ...Object.fromEntries(allMetrics.map((m) => [m, count])),
});

const chTime = (v: string) => `${v.replace(' ', 'T')}Z`;

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

  const tenant = z.uuid().parse(ctx.tenantId);
  const result = await ctx.olap.query({
    query: chSql`SELECT toString(hour) AS hour, toString(argMax(observed_at, version)) AS observed_at,
        ${raw(allMetrics.map((m) => `tupleElement(argMax(tuple(${m}), version), 1) AS ${m}`).join(', '))}
      FROM post_metrics_hourly_v1
      WHERE tenant_id = ${tenant} AND platform = ${post.platform} AND platform_post_id = ${post.platform_post_id}
      GROUP BY hour ORDER BY hour`.text,
    format: 'JSONEachRow',
  });
  const history = z
    .array(historyRow)
    .parse(await result.json())
    .map((r) => {
      const values = r as Record<string, unknown>;
      const m = {} as Record<MetricName, number | null>;
      for (const k of allMetrics) m[k] = typeof values[k] === 'number' ? (values[k] as number) : null;
      return { observed_at: chTime(r.observed_at), ...m, ...postRates(m) };
    });

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
