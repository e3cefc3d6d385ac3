import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../context.js';
import { overview } from '../../domain/overview.js';
import { resolveRange } from '../../domain/time.js';
import { commonErrorResponses } from '../../errors.js';
import { requireScope } from '../../middleware/auth.js';
import { type App, domainContext, security } from '../shared.js';
import {
  changeSchema,
  periodSchema,
  platformRowSchema,
  postCardSchema,
  rangeQuery,
  SEMANTICS,
  summarySchema,
} from './schema.js';

const summaryWithGrowth = summarySchema.extend({
  follower_growth: z
    .number()
    .nullable()
    .describe('Σ over accounts of followers at the end minus at the start of the period; null when unknown.'),
});

export const overviewSchema = z
  .object({
    period: periodSchema,
    summary: summaryWithGrowth,
    previous_period: z.object({ period: periodSchema, summary: summaryWithGrowth, change_pct: changeSchema }),
    by_platform: z.array(platformRowSchema),
    trends: z.array(
      z.object({ date: z.string(), engagement_rate: z.number().nullable(), posts: z.number() }),
    ),
    best_times: z
      .object({
        day_of_week: z.string(),
        hour_of_day: z.number(),
        engagement_rate: z.number().nullable(),
        posts: z.number(),
        min_posts_per_slot: z.number(),
      })
      .nullable(),
    top_posts: z.array(postCardSchema),
    data_freshness: z.array(z.object({ platform: z.string(), last_observed_at: z.string() })),
  })
  .openapi('Overview');

export type Overview = z.infer<typeof overviewSchema>;

const route = createRoute({
  method: 'get',
  path: '/analytics/overview',
  tags: ['analytics'],
  summary: 'Dashboard overview of a period',
  description:
    `${SEMANTICS} Also returns the same summary for the preceding period of equal length and the change in %, ` +
    'per-platform totals, daily engagement trend (by publication date), the best publication slot (weekday, hour), ' +
    'the five posts with the highest engagement rate, and per platform the time of the newest observation.',
  security,
  middleware: [requireScope('read')] as const,
  request: { query: rangeQuery },
  responses: {
    200: { description: 'Overview', content: { 'application/json': { schema: overviewSchema } } },
    ...commonErrorResponses,
  },
});

export function registerOverview(app: App, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const ctx = domainContext(c, deps, q.tz);
    const range = resolveRange(q, ctx.timezone, ctx.now);
    return c.json(await overview(ctx, { range, platform: q.platform }), 200);
  });
}
