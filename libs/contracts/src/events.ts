import { z } from 'zod';

export const platforms = ['linkedin', 'twitter', 'facebook', 'instagram'] as const;
export const platformSchema = z.enum(platforms);
export type Platform = z.infer<typeof platformSchema>;

export const contentTypes = ['text', 'image', 'video', 'link', 'carousel'] as const;

/** RFC 3339 instant with an explicit offset; stored and compared as UTC. */
const instant = z.iso.datetime({ offset: true });
/** A lifetime count: null when the platform did not report it, 0 when it reported zero. */
const count = z.number().int().nullable();
const id = z.string().min(1).max(512);

export const postAttributesSchema = z
  .object({
    published_at: instant,
    content_type: z.enum(contentTypes),
    content_text: z.string().max(100_000).nullable(),
    hashtags: z.array(z.string().min(1).max(280)).max(100),
    platform_post_url: z.url().nullable(),
  })
  .meta({ description: 'What the post is. Null when the source response did not carry it.' });

export const postMetricsSchema = z.object({
  impressions: count,
  reach: count,
  clicks: count,
  likes_count: count,
  comments_count: count,
  shares_count: count.describe('For X: retweets + quotes; the parts stay in their own fields.'),
  saves_count: count,
  reactions_count: count,
  retweets_count: count,
  quote_tweets_count: count,
  video_views: count,
  video_watch_time: count.describe('Seconds of video watched in total.'),
});

export const postMetricsSnapshotSchema = z
  .object({
    schema_version: z.literal(1),
    event_id: z.uuid(),
    tenant_id: z.uuid(),
    platform: platformSchema,
    account_id: id,
    platform_post_id: id,
    observed_at: instant,
    post: postAttributesSchema.nullable(),
    metrics: postMetricsSchema,
  })
  .meta({
    title: 'PostMetricsSnapshotV1',
    description:
      'Value of postpulse.post-metrics.v1: lifetime totals of one post as observed at observed_at. ' +
      'Key: tenant_id:platform:platform_post_id.',
  });

export type PostMetricsSnapshot = z.infer<typeof postMetricsSnapshotSchema>;
export type PostMetrics = z.infer<typeof postMetricsSchema>;
export type PostMetricName = keyof PostMetrics;

/** The snapshot's metric fields in contract order: stores and reads iterate over this one list. */
export const postMetricNames = Object.keys(postMetricsSchema.shape) as readonly PostMetricName[];

/** Every metric unknown (null): the start of a snapshot built from a source that reports only some. */
export const emptyPostMetrics = (): PostMetrics =>
  Object.fromEntries(postMetricNames.map((m) => [m, null])) as PostMetrics;

export const accountMetricsSnapshotSchema = z
  .object({
    schema_version: z.literal(1),
    event_id: z.uuid(),
    tenant_id: z.uuid(),
    platform: platformSchema,
    account_id: id,
    observed_at: instant,
    metrics: z.object({
      followers_count: count,
      following_count: count,
      posts_count: count,
    }),
  })
  .meta({
    title: 'AccountMetricsSnapshotV1',
    description:
      'Value of postpulse.account-metrics.v1: account-level counts at observed_at. Key: tenant_id:platform:account_id.',
  });

export type AccountMetricsSnapshot = z.infer<typeof accountMetricsSnapshotSchema>;

export const refreshRequestSchema = z
  .object({
    schema_version: z.literal(1),
    request_id: z.uuid(),
    tenant_id: z.uuid(),
    platform: platformSchema,
    requested_at: instant,
  })
  .meta({
    title: 'RefreshRequestV1',
    description: 'Value of postpulse.refresh-requests.v1. Key: tenant_id:platform.',
  });

export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

export const accountStatusSchema = z
  .object({
    schema_version: z.literal(1),
    event_id: z.uuid(),
    tenant_id: z.uuid(),
    platform: platformSchema,
    account_id: id,
    status: z.enum(['ok', 'needs_reauth', 'rate_limited']),
    reason: z.string().max(1000).nullable(),
    until: instant.nullable(),
    observed_at: instant,
  })
  .meta({
    title: 'AccountStatusV1',
    description: 'Value of postpulse.account-status.v1. Key: tenant_id:platform:account_id.',
  });

export type AccountStatus = z.infer<typeof accountStatusSchema>;

export const messageKeys = {
  post: (e: Pick<PostMetricsSnapshot, 'tenant_id' | 'platform' | 'platform_post_id'>) =>
    `${e.tenant_id}:${e.platform}:${e.platform_post_id}`,
  account: (e: Pick<AccountMetricsSnapshot, 'tenant_id' | 'platform' | 'account_id'>) =>
    `${e.tenant_id}:${e.platform}:${e.account_id}`,
  refresh: (e: Pick<RefreshRequest, 'tenant_id' | 'platform'>) => `${e.tenant_id}:${e.platform}`,
};
