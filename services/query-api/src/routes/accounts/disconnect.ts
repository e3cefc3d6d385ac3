import { createRoute, z } from '@hono/zod-openapi';
import { AccountError, disconnectAccount } from '@postpulse/accounts';
import type { AppDeps } from '../../context.js';
import { ApiError, commonErrorResponses, notFoundResponse } from '../../errors.js';
import { requireScope } from '../../middleware/auth.js';
import { type App, security } from '../shared.js';
import { accountSchema, publicAccount } from './schema.js';

const route = createRoute({
  method: 'delete',
  path: '/accounts/{account_id}',
  tags: ['accounts'],
  summary: 'Disconnect a platform account',
  description:
    'Wipes the stored tokens and stops collection; collected numbers stay. The id is the `id` from GET /accounts. ' +
    "Another tenant's account is 404, like a missing one.",
  security,
  middleware: [requireScope('write')] as const,
  request: {
    params: z.object({
      account_id: z
        .string()
        .min(1)
        .max(100)
        .openapi({ param: { name: 'account_id', in: 'path' } }),
    }),
  },
  responses: {
    200: { description: 'Disconnected', content: { 'application/json': { schema: accountSchema } } },
    ...commonErrorResponses,
    ...notFoundResponse,
  },
});

export function registerDisconnectAccount(app: App, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const { account_id } = c.req.valid('param');
    const cipher = deps.tokenCipher;
    if (!cipher)
      throw new ApiError('unavailable', 'account management is not configured on this server (TOKEN_KEYS)');
    try {
      const view = await disconnectAccount(
        { db: deps.db, cipher, now: () => (deps.now ? deps.now() : new Date()).getTime() },
        { tenant_id: c.get('auth').tenant.id, id: account_id },
      );
      return c.json(publicAccount(view), 200);
    } catch (error) {
      if (error instanceof AccountError && error.code === 'not_found')
        throw new ApiError('not_found', 'account not found');
      throw error;
    }
  });
}
