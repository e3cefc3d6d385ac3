import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';

/** One wide event per request, written after the response is known. */
export function accessLog(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const auth = c.get('auth') as AppEnv['Variables']['auth'] | undefined;
    c.get('logger').info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        tenant_id: auth?.tenant.id,
        key_id: auth?.key_id,
        cache: c.res.headers.get('x-cache') ?? undefined,
      },
      'request',
    );
  };
}
