import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppDeps, AppEnv, DomainContext } from '../context.js';

export type App = OpenAPIHono<AppEnv>;

export const security = [{ bearerAuth: [] }];

/** The domain context of a request: the key's tenant, its zone (or the request's `tz`), the stores. */
export function domainContext(c: Context<AppEnv>, deps: AppDeps, tz?: string): DomainContext {
  const { tenant } = c.get('auth');
  return {
    tenantId: tenant.id,
    timezone: tz ?? tenant.timezone,
    requestId: c.get('requestId'),
    logger: c.get('logger'),
    db: deps.db,
    genericPlanDb: deps.genericPlanDb,
    olap: deps.olap,
    now: deps.now ? deps.now() : new Date(),
  };
}
