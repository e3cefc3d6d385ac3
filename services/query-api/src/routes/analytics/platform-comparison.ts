import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../context.js';
import { platformComparison } from '../../domain/platform-comparison.js';
import { rangeFilter } from '../../domain/post-set.js';
import { resolveRange } from '../../domain/time.js';
import { commonErrorResponses } from '../../errors.js';
import { requireScope } from '../../middleware/auth.js';
import { type App, domainContext, security } from '../shared.js';
import { periodSchema, platformRowSchema, rangeQuery, SEMANTICS } from './schema.js';

const route = createRoute({
  method: 'get',
  path: '/analytics/platform-comparison',
  tags: ['analytics'],
  summary: 'Platforms side by side',
  description:
    `${SEMANTICS} Per platform: totals and rates; a ranking by engagement rate (platforms whose rate is unknown ` +
    'are not ranked); and plain-language insights, each derived from the numbers in the same response.',
  security,
  middleware: [requireScope('read')] as const,
  request: { query: rangeQuery.omit({ platform: true }) },
  responses: {
    200: {
      description: 'Comparison',
      content: {
        'application/json': {
          schema: z
            .object({
              period: periodSchema,
              platforms: z.array(platformRowSchema),
              ranking: z.array(
                z.object({
                  rank: z.number(),
                  platform: z.string(),
                  avg_engagement_rate: z.number().nullable(),
                }),
              ),
              insights: z.array(z.string()),
            })
            .openapi('PlatformComparison'),
        },
      },
    },
    ...commonErrorResponses,
  },
});

export function registerPlatformComparison(app: App, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const ctx = domainContext(c, deps, q.tz);
    const range = resolveRange(q, ctx.timezone, ctx.now);
    const result = await platformComparison(ctx, rangeFilter(range));
    return c.json(
      { period: { start: range.start_date, end: range.end_date, timezone: range.timezone }, ...result },
      200,
    );
  });
}
