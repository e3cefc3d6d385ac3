import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../context.js';
import { rangeFilter } from '../../domain/post-set.js';
import { resolveRange } from '../../domain/time.js';
import { topPostMetrics, topPosts } from '../../domain/top-posts.js';
import { commonErrorResponses } from '../../errors.js';
import { requireScope } from '../../middleware/auth.js';
import { type App, domainContext, security } from '../shared.js';
import { periodSchema, postCardSchema, rangeQuery, SEMANTICS } from './schema.js';

const query = rangeQuery.extend({
  metric: z
    .enum(topPostMetrics, { error: `metric must be one of ${topPostMetrics.join(', ')}` })
    .default('engagement_rate')
    .openapi({ param: { name: 'metric', in: 'query' } }),
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int({ error: 'limit must be an integer' })
    .min(1, { error: 'limit must be at least 1' })
    .max(50, { error: 'limit must be at most 50' })
    .default(10)
    .openapi({ param: { name: 'limit', in: 'query' } }),
});

const route = createRoute({
  method: 'get',
  path: '/analytics/top-posts',
  tags: ['analytics'],
  summary: 'Top posts of a period by a metric',
  description:
    `${SEMANTICS} Posts are ranked by the metric, highest first; posts without a value for it are left out. ` +
    'Ties are broken by newer publication first, then by platform and platform post id, so the order is stable.',
  security,
  middleware: [requireScope('read')] as const,
  request: { query },
  responses: {
    200: {
      description: 'Top posts',
      content: {
        'application/json': {
          schema: z.object({ period: periodSchema, metric: z.string(), data: z.array(postCardSchema) }),
        },
      },
    },
    ...commonErrorResponses,
  },
});

export function registerTopPosts(app: App, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const ctx = domainContext(c, deps, q.tz);
    const range = resolveRange(q, ctx.timezone, ctx.now);
    const data = await topPosts(ctx, {
      filter: rangeFilter(range, q.platform),
      metric: q.metric,
      limit: q.limit,
    });
    return c.json(
      {
        period: { start: range.start_date, end: range.end_date, timezone: range.timezone },
        metric: q.metric,
        data,
      },
      200,
    );
  });
}
