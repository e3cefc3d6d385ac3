import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../context.js';
import { contentPerformance, MIN_POSTS_PER_HASHTAG } from '../../domain/content.js';
import { rangeFilter } from '../../domain/post-set.js';
import { resolveRange } from '../../domain/time.js';
import { commonErrorResponses } from '../../errors.js';
import { requireScope } from '../../middleware/auth.js';
import { type App, domainContext, security } from '../shared.js';
import { periodSchema, rangeQuery, SEMANTICS } from './schema.js';

const groupStats = {
  posts: z.number(),
  total_likes: z.number().nullable(),
  total_comments: z.number().nullable(),
  total_shares: z.number().nullable(),
  total_impressions: z.number().nullable(),
  avg_engagement_rate: z.number().nullable(),
};

const route = createRoute({
  method: 'get',
  path: '/analytics/content',
  tags: ['analytics'],
  summary: 'What content performs',
  description:
    `${SEMANTICS} Performance by content type; by hashtag (case-insensitive, only hashtags used by at least ` +
    `${MIN_POSTS_PER_HASHTAG} posts of the period, the 50 most used); by text length in characters; and Spearman's ` +
    'rank correlation between text length and per-post engagement rate over the posts with text and known impressions.',
  security,
  middleware: [requireScope('read')] as const,
  request: { query: rangeQuery },
  responses: {
    200: {
      description: 'Content performance',
      content: {
        'application/json': {
          schema: z
            .object({
              period: periodSchema,
              by_content_type: z.array(z.object({ content_type: z.string(), ...groupStats })),
              by_hashtag: z.object({
                min_posts: z.number(),
                hashtags: z.array(z.object({ hashtag: z.string(), ...groupStats })),
              }),
              by_text_length: z.array(
                z.object({
                  bucket: z.string(),
                  min_chars: z.number(),
                  max_chars: z.number().nullable(),
                  posts: z.number(),
                  avg_engagement_rate: z.number().nullable(),
                }),
              ),
              length_engagement_correlation: z.object({
                method: z.literal('spearman'),
                posts: z.number(),
                rho: z.number().nullable(),
              }),
            })
            .openapi('ContentPerformance'),
        },
      },
    },
    ...commonErrorResponses,
  },
});

export function registerContent(app: App, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const ctx = domainContext(c, deps, q.tz);
    const range = resolveRange(q, ctx.timezone, ctx.now);
    const result = await contentPerformance(ctx, rangeFilter(range, q.platform));
    return c.json(
      { period: { start: range.start_date, end: range.end_date, timezone: range.timezone }, ...result },
      200,
    );
  });
}
