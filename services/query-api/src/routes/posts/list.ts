import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../context.js';
import { listPosts } from '../../domain/posts.js';
import { commonErrorResponses } from '../../errors.js';
import { requireScope } from '../../middleware/auth.js';
import { platformParam } from '../analytics/schema.js';
import { type App, domainContext, security } from '../shared.js';

const route = createRoute({
  method: 'get',
  path: '/posts',
  tags: ['posts'],
  summary: 'List posts, newest first',
  description:
    'Posts with their latest lifetime totals, newest publication first (ties by id), keyset-paginated: pass ' +
    '`next_cursor` as `cursor` for the next page; null means the last page. Posts whose publication time is ' +
    'not known yet are not listed.',
  security,
  middleware: [requireScope('read')] as const,
  request: {
    query: z.object({
      platform: platformParam,
      limit: z.coerce
        .number({ error: 'limit must be a number' })
        .int({ error: 'limit must be an integer' })
        .min(1, { error: 'limit must be at least 1' })
        .max(100, { error: 'limit must be at most 100' })
        .default(20)
        .openapi({ param: { name: 'limit', in: 'query' } }),
      cursor: z
        .string()
        .max(200)
        .optional()
        .openapi({ param: { name: 'cursor', in: 'query' } }),
    }),
  },
  responses: {
    200: {
      description: 'A page of posts',
      content: {
        'application/json': {
          schema: z
            .object({
              data: z.array(
                z.object({
                  id: z.string(),
                  platform: z.string(),
                  platform_post_id: z.string(),
                  published_at: z.string(),
                  content_type: z.string().nullable(),
                  content_preview: z.string().nullable(),
                  platform_post_url: z.string().nullable(),
                  fetched_at: z.string().nullable(),
                  likes_count: z.number().nullable(),
                  comments_count: z.number().nullable(),
                  shares_count: z.number().nullable(),
                  impressions: z.number().nullable(),
                  reach: z.number().nullable(),
                  clicks: z.number().nullable(),
                  engagement_rate: z.number().nullable(),
                }),
              ),
              next_cursor: z.string().nullable(),
            })
            .openapi('PostPage'),
        },
      },
    },
    ...commonErrorResponses,
  },
});

export function registerListPosts(app: App, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    return c.json(await listPosts(domainContext(c, deps), q), 200);
  });
}
