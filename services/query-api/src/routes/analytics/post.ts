import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../context.js';
import { parsePostRef, postDetail } from '../../domain/post-detail.js';
import { commonErrorResponses, notFoundResponse } from '../../errors.js';
import { requireScope } from '../../middleware/auth.js';
import { type App, domainContext, security } from '../shared.js';

const metrics = {
  impressions: z.number().nullable(),
  reach: z.number().nullable(),
  clicks: z.number().nullable(),
  likes_count: z.number().nullable(),
  comments_count: z.number().nullable(),
  shares_count: z.number().nullable(),
  saves_count: z.number().nullable(),
  reactions_count: z.number().nullable(),
  retweets_count: z.number().nullable(),
  quote_tweets_count: z.number().nullable(),
  video_views: z.number().nullable(),
  video_watch_time: z.number().nullable(),
  total_engagement: z.number().nullable(),
  engagement_rate: z.number().nullable(),
  click_through_rate: z.number().nullable(),
};

const route = createRoute({
  method: 'get',
  path: '/analytics/posts/{post_id}',
  tags: ['analytics'],
  summary: 'One post: latest metrics and history',
  description:
    'Latest lifetime totals of the post with its engagement rate ((likes + comments + shares) / impressions × 100) ' +
    'and click-through rate (clicks / impressions × 100), null when impressions are unknown or 0; and the history as ' +
    'an hourly time series (the last observation in each UTC hour). A post of another tenant is 404, like a missing one.',
  security,
  middleware: [requireScope('read')] as const,
  request: {
    params: z.object({
      post_id: z
        .string()
        .min(1)
        .max(600)
        .openapi({
          param: { name: 'post_id', in: 'path' },
          description: 'Our post id (UUID) or platform:platform_post_id',
          example: 'linkedin:urn:li:share:7001',
        }),
    }),
  },
  responses: {
    200: {
      description: 'The post',
      content: {
        'application/json': {
          schema: z
            .object({
              id: z.string(),
              platform: z.string(),
              platform_post_id: z.string(),
              account_id: z.string(),
              published_at: z.string().nullable(),
              content_type: z.string().nullable(),
              content_preview: z.string().nullable(),
              hashtags: z.array(z.string()),
              platform_post_url: z.string().nullable(),
              fetched_at: z.string().nullable(),
              analytics: z.object(metrics),
              history: z.object({
                interval: z.literal('hourly'),
                points: z.array(z.object({ observed_at: z.string(), ...metrics })),
              }),
            })
            .openapi('PostAnalytics'),
        },
      },
    },
    ...commonErrorResponses,
    ...notFoundResponse,
  },
});

export function registerPostAnalytics(app: App, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const { post_id } = c.req.valid('param');
    const ctx = domainContext(c, deps);
    return c.json(await postDetail(ctx, parsePostRef(post_id)), 200);
  });
}
