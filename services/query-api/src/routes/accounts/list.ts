import { createRoute, z } from '@hono/zod-openapi';
import { listAccounts } from '@postpulse/accounts';
import type { AppDeps } from '../../context.js';
import { commonErrorResponses } from '../../errors.js';
import { requireScope } from '../../middleware/auth.js';
import { platformParam } from '../analytics/schema.js';
import { type App, security } from '../shared.js';
import { accountSchema, publicAccount } from './schema.js';

const route = createRoute({
  method: 'get',
  path: '/accounts',
  tags: ['accounts'],
  summary: "The tenant's platform accounts",
  security,
  middleware: [requireScope('read')] as const,
  request: { query: z.object({ platform: platformParam }) },
  responses: {
    200: {
      description: 'Accounts',
      content: { 'application/json': { schema: z.object({ data: z.array(accountSchema) }) } },
    },
    ...commonErrorResponses,
  },
});

export function registerListAccounts(app: App, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const { platform } = c.req.valid('query');
    const tenantId = c.get('auth').tenant.id;
    const rows = await listAccounts(
      { db: deps.db },
      platform ? { tenant_id: tenantId, platform } : { tenant_id: tenantId },
    );
    return c.json({ data: rows.map(publicAccount) }, 200);
  });
}
