import { createRoute, z } from '@hono/zod-openapi';
import { platforms, topics } from '@postpulse/contracts';
import type { AppDeps } from '../../context.js';
import { requestRefresh } from '../../domain/refresh.js';
import { ApiError, commonErrorResponses, errorBodySchema } from '../../errors.js';
import { requireScope } from '../../middleware/auth.js';
import { type App, domainContext, security } from '../shared.js';

const route = createRoute({
  method: 'post',
  path: '/analytics/refresh',
  tags: ['analytics'],
  summary: 'Ask for fresh numbers now',
  description:
    'Publishes one request per platform to postpulse.refresh-requests.v1 (key tenant_id:platform) and returns ' +
    'at once with a request id; the ingest services fetch and the new numbers appear as they are aggregated. ' +
    'Without `platforms`, every platform is refreshed. Needs the write scope.',
  security,
  middleware: [requireScope('write')] as const,
  request: {
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z.object({
            platforms: z
              .array(z.enum(platforms, { error: `platforms must contain only ${platforms.join(', ')}` }))
              .max(platforms.length)
              .optional(),
          }),
        },
      },
    },
  },
  responses: {
    202: {
      description: 'Accepted',
      content: {
        'application/json': {
          schema: z
            .object({
              request_id: z.string(),
              platforms: z.array(z.enum(platforms)),
              requested_at: z.string(),
            })
            .openapi('RefreshAccepted'),
        },
      },
    },
    ...commonErrorResponses,
    503: {
      description: 'The request could not be queued (Kafka unavailable).',
      content: { 'application/json': { schema: errorBodySchema } },
    },
  },
});

export function registerRefresh(app: App, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const body: { platforms?: (typeof platforms)[number][] | undefined } = c.req.valid('json') ?? {};
    const ctx = {
      ...domainContext(c, deps),
      producer: deps.producer,
      topic: deps.refreshTopic ?? topics.refreshRequests,
    };
    let accepted: Awaited<ReturnType<typeof requestRefresh>>;
    try {
      accepted = await requestRefresh(ctx, { platforms: body.platforms });
    } catch (error) {
      ctx.logger.error({ err: error }, 'could not publish refresh request');
      throw new ApiError('unavailable', 'refresh requests cannot be accepted right now; try again later');
    }
    return c.json(accepted, 202);
  });
}
