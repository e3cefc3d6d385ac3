import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../context.js';
import { bestTimes, MIN_POSTS_PER_SLOT } from '../../domain/best-times.js';
import { rangeFilter } from '../../domain/post-set.js';
import { addDays, localDate, resolveRange } from '../../domain/time.js';
import { commonErrorResponses } from '../../errors.js';
import { requireScope } from '../../middleware/auth.js';
import { type App, domainContext, security } from '../shared.js';
import { bestTimesSchema, platformParam, SEMANTICS, tzParam } from './schema.js';

const query = z.object({
  platform: platformParam,
  tz: tzParam,
  days: z.coerce
    .number({ error: 'days must be a number' })
    .int({ error: 'days must be an integer' })
    .min(7, { error: 'days must be at least 7' })
    .max(365, { error: 'days must be at most 365' })
    .default(90)
    .openapi({
      param: { name: 'days', in: 'query', description: 'Look back this many days, ending today (7–365).' },
    }),
});

const route = createRoute({
  method: 'get',
  path: '/analytics/best-times',
  tags: ['analytics'],
  summary: 'Best times to publish',
  description:
    `${SEMANTICS} Posts are placed by the weekday and hour of their publication in the time zone (DST-correct: ` +
    'each instant is converted with the rules in force at that instant). Per weekday, per hour and per cell of the ' +
    '7×24 grid: post count, engagement rate and its 95% confidence interval (ratio estimator, delta method). ' +
    `Recommendations are the top three cells among those with at least ${MIN_POSTS_PER_SLOT} posts with known impressions.`,
  security,
  middleware: [requireScope('read')] as const,
  request: { query },
  responses: {
    200: { description: 'Best times', content: { 'application/json': { schema: bestTimesSchema } } },
    ...commonErrorResponses,
  },
});

export function registerBestTimes(app: App, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const ctx = domainContext(c, deps, q.tz);
    const today = localDate(ctx.now, ctx.timezone);
    const range = resolveRange(
      { start_date: addDays(today, -(q.days - 1)), end_date: today },
      ctx.timezone,
      ctx.now,
    );
    const result = await bestTimes(ctx, rangeFilter(range, q.platform));
    return c.json(
      { period: { start: range.start_date, end: range.end_date, timezone: range.timezone }, ...result },
      200,
    );
  });
}
