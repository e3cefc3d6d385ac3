import { createRoute } from '@hono/zod-openapi';
import { AccountError, connectAccount } from '@postpulse/accounts';
import type { AppDeps } from '../../context.js';
import { ApiError, commonErrorResponses } from '../../errors.js';
import { requireScope } from '../../middleware/auth.js';
import { type App, security } from '../shared.js';
import { accountSchema, connectBodySchema, publicAccount } from './schema.js';

const route = createRoute({
  method: 'post',
  path: '/accounts',
  tags: ['accounts'],
  summary: 'Connect (or reconnect) a platform account',
  description:
    'Stores the tokens encrypted at rest and schedules discovery of the account’s posts. Connecting an account ' +
    'that is already connected replaces its tokens and reactivates it. Tokens are never returned.',
  security,
  middleware: [requireScope('write')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: connectBodySchema } } } },
  responses: {
    201: { description: 'Connected', content: { 'application/json': { schema: accountSchema } } },
    ...commonErrorResponses,
  },
});

export function registerConnectAccount(app: App, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const cipher = deps.tokenCipher;
    if (!cipher)
      throw new ApiError('unavailable', 'connecting accounts is not configured on this server (TOKEN_KEYS)');
    try {
      const view = await connectAccount(
        { db: deps.db, cipher, now: () => (deps.now ? deps.now() : new Date()).getTime() },
        { ...body, tenant_id: c.get('auth').tenant.id },
      );
      return c.json(publicAccount(view), 201);
    } catch (error) {
      if (error instanceof AccountError && error.code === 'invalid')
        throw new ApiError('bad_request', error.message);
      throw error;
    }
  });
}
