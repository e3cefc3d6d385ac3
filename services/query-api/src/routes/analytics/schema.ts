import { z } from '@hono/zod-openapi';
import { platforms } from '@postpulse/contracts';
import { isValidTimeZone } from '@postpulse/tenancy';

export const SEMANTICS =
  "A period's posts are those published in it (local days of the tenant's time zone, or `tz`); their metrics are " +
  'their latest lifetime totals. Engagement rate = (likes + comments + shares) / impressions × 100; over several ' +
  'posts it is Σ engagements / Σ impressions over the posts whose impressions are known, and null (not 0) when ' +
  'nothing is known. Click-through rate likewise with clicks. `total_reach` is the sum of per-post reach (not ' +
  'unique people). Numbers are rounded to 2 decimals only in the response.';

const date = (name: string) =>
  z.iso
    .date({ error: `${name} must be a date YYYY-MM-DD` })
    .optional()
    .openapi({ param: { name, in: 'query' }, example: '2025-01-31' });

export const platformParam = z
  .enum(platforms, { error: `platform must be one of ${platforms.join(', ')}` })
  .optional()
  .openapi({ param: { name: 'platform', in: 'query' } });

export const tzParam = z
  .string()
  .refine(isValidTimeZone, { error: 'tz must be an IANA time zone such as Europe/Berlin' })
  .optional()
  .openapi({
    param: { name: 'tz', in: 'query', description: "Time zone for this request instead of the tenant's." },
    example: 'Europe/Berlin',
  });

export const rangeQuery = z.object({
  start_date: date('start_date').describe('First local day, inclusive. Default: 29 days before end_date.'),
  end_date: date('end_date').describe(
    'Last local day, inclusive (at most 366 days after start). Default: today.',
  ),
  platform: platformParam,
  tz: tzParam,
});

export const periodSchema = z
  .object({ start: z.string(), end: z.string(), timezone: z.string() })
  .openapi('Period');

const rate = z.number().nullable();
const nullableCount = z.number().nullable();

export const summarySchema = z
  .object({
    total_posts: z.number(),
    total_likes: nullableCount,
    total_comments: nullableCount,
    total_shares: nullableCount,
    total_engagements: nullableCount,
    total_impressions: nullableCount,
    total_reach: nullableCount.describe(
      'Sum of per-post reach; people reached by several posts count each time.',
    ),
    total_clicks: nullableCount,
    avg_engagement_rate: rate,
    click_through_rate: rate,
  })
  .openapi('Summary');

export const changeSchema = z
  .object(
    Object.fromEntries(Object.keys(summarySchema.shape).map((k) => [k, rate])) as Record<
      keyof typeof summarySchema.shape,
      typeof rate
    >,
  )
  .extend({ follower_growth: rate })
  .openapi('SummaryChangePct');

export const platformRowSchema = summarySchema
  .extend({ platform: z.string(), share_of_posts: rate.describe('% of the period’s posts') })
  .openapi('PlatformSummary');

export const postCardSchema = z
  .object({
    id: z.string(),
    platform: z.string(),
    platform_post_id: z.string(),
    content_preview: z.string().nullable(),
    content_type: z.string().nullable(),
    published_at: z.string(),
    engagement_rate: rate,
    likes_count: nullableCount,
    comments_count: nullableCount,
    shares_count: nullableCount,
    impressions: nullableCount,
    reach: nullableCount,
    clicks: nullableCount,
    total_engagement: nullableCount,
  })
  .openapi('PostCard');

const ci = z.object({ low: rate, high: rate, level: z.number() }).nullable();
const slotStats = {
  posts: z.number(),
  posts_with_impressions: z.number(),
  engagement_rate: rate,
  confidence_interval: ci,
};
export const cellSchema = z
  .object({ day_of_week: z.string(), hour_of_day: z.number(), ...slotStats })
  .openapi('BestTimeCell');

export const bestTimesSchema = z
  .object({
    period: periodSchema,
    min_posts_per_slot: z.number(),
    by_day_of_week: z.array(z.object({ day_of_week: z.string(), ...slotStats })),
    by_hour_of_day: z.array(z.object({ hour_of_day: z.number(), ...slotStats })),
    grid: z.array(cellSchema),
    recommendations: z.array(cellSchema),
  })
  .openapi('BestTimes');
