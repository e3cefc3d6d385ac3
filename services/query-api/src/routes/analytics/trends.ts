import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../context.js';
import { rangeFilter } from '../../domain/post-set.js';
import { resolveRange, trendPeriods } from '../../domain/time.js';
import { basisDescriptions, trendBases, trendMetrics, trends } from '../../domain/trends.js';
import { commonErrorResponses } from '../../errors.js';
import { requireScope } from '../../middleware/auth.js';
import { type App, domainContext, security } from '../shared.js';
import { periodSchema, rangeQuery, SEMANTICS } from './schema.js';

const query = rangeQuery.extend({
  period: z
    .enum(trendPeriods, { error: `period must be one of ${trendPeriods.join(', ')}` })
    .default('daily')
    .openapi({ param: { name: 'period', in: 'query' } }),
  metric: z
    .enum(trendMetrics, { error: `metric must be one of ${trendMetrics.join(', ')}` })
    .default('engagement_rate')
    .openapi({ param: { name: 'metric', in: 'query' } }),
  basis: z
    .enum(trendBases, { error: `basis must be one of ${trendBases.join(', ')}` })
    .default('published')
    .openapi({ param: { name: 'basis', in: 'query' } }),
});

const route = createRoute({
  method: 'get',
  path: '/analytics/trends',
  tags: ['analytics'],
  summary: 'A metric over time',
  description:
    `${SEMANTICS} basis=published: ${basisDescriptions.published} basis=activity: ${basisDescriptions.activity} ` +
    'Weekly periods start on Monday, monthly on the 1st; the first and last period may be cut by the range. ' +
    'Activity is read from hourly rollups, so period edges fall on UTC hours (exact for whole-hour zones).',
  security,
  middleware: [requireScope('read')] as const,
  request: { query },
  responses: {
    200: {
      description: 'Trend series',
      content: {
        'application/json': {
          schema: z
            .object({
              period: periodSchema,
              interval: z.enum(trendPeriods),
              metric: z.enum(trendMetrics),
              basis: z.enum(trendBases),
              basis_description: z.string(),
              points: z.array(
                z.object({ period_start: z.string(), value: z.number().nullable(), posts: z.number() }),
              ),
            })
            .openapi('Trends'),
        },
      },
    },
    ...commonErrorResponses,
  },
});

export function registerTrends(app: App, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const ctx = domainContext(c, deps, q.tz);
    const range = resolveRange(q, ctx.timezone, ctx.now);
    const result = await trends(ctx, {
      range,
      filter: rangeFilter(range, q.platform),
      period: q.period,
      metric: q.metric,
      basis: q.basis,
    });
    return c.json(result, 200);
  });
}
