import { OpenAPIHono } from '@hono/zod-openapi';
import { createResponseCache } from '@postpulse/cache';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppDeps, AppEnv } from './context.js';
import {
  ApiError,
  type ErrorCode,
  errorBody,
  errorCodes,
  InvalidParameterError,
  NotFoundError,
} from './errors.js';
import { accessLog } from './middleware/access-log.js';
import { authenticate } from './middleware/auth.js';
import { responseCache } from './middleware/cache.js';
import { rateLimit } from './middleware/rate-limit.js';
import { requestId } from './middleware/request-id.js';
import { registerConnectAccount } from './routes/accounts/connect.js';
import { registerDisconnectAccount } from './routes/accounts/disconnect.js';
import { registerListAccounts } from './routes/accounts/list.js';
import { registerBestTimes } from './routes/analytics/best-times.js';
import { registerContent } from './routes/analytics/content.js';
import { registerOverview } from './routes/analytics/overview.js';
import { registerPlatformComparison } from './routes/analytics/platform-comparison.js';
import { registerPostAnalytics } from './routes/analytics/post.js';
import { registerRefresh } from './routes/analytics/refresh.js';
import { registerTopPosts } from './routes/analytics/top-posts.js';
import { registerTrends } from './routes/analytics/trends.js';
import { registerDocs } from './routes/docs/docs.js';
import { registerListPosts } from './routes/posts/list.js';

const PUBLIC_PATHS = new Set(['/api/v1/openapi.json', '/api/v1/docs']);

const codeForStatus = (status: number): ErrorCode =>
  (Object.entries(errorCodes).find(([, s]) => s === status)?.[0] as ErrorCode | undefined) ??
  (status >= 500 ? 'internal_error' : 'bad_request');

function fail(c: Context<AppEnv>, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
  const id = (c.get('requestId') as string | undefined) ?? 'unknown';
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  return c.json(errorBody(code, message, id), errorCodes[code]);
}

/** Zod failures become 400 with a message that names the parameter. */
const defaultHook = (
  result:
    | { success: true }
    | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } },
  c: Context<AppEnv>,
) => {
  if (result.success) return;
  const messages = result.error.issues.map((issue) => {
    const name = issue.path.map(String).join('.');
    return name && !issue.message.startsWith(name) ? `${name}: ${issue.message}` : issue.message;
  });
  return fail(c, 'bad_request', messages.join('; '));
};

/** Only authenticated, rate-limited requests reach the API's routes; the docs are public. */
function unlessPublic(mw: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> {
  return (c, next) => (PUBLIC_PATHS.has(c.req.path) ? next() : mw(c, next));
}

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const now = deps.now ?? (() => new Date());
  const app = new OpenAPIHono<AppEnv>({ defaultHook });

  // Order matters: request id → access log → auth → rate limit → (cache) → handler.
  app.use('*', requestId(deps.logger));
  app.use('*', accessLog());
  app.use('/api/v1/*', unlessPublic(authenticate(deps.db, now, deps.authCacheTtlMs ?? 10_000)));
  app.use('/api/v1/*', unlessPublic(rateLimit(deps.redis, deps.rateLimitPerMinute, now)));
  if (deps.cacheTtlSeconds > 0) {
    app.use(
      '/api/v1/analytics/*',
      responseCache(
        createResponseCache(deps.redis, { ttlSeconds: deps.cacheTtlSeconds, local: deps.localCache }),
        now,
      ),
    );
  }

  const api = new OpenAPIHono<AppEnv>({ defaultHook });
  registerOverview(api, deps);
  registerPostAnalytics(api, deps);
  registerTrends(api, deps);
  registerPlatformComparison(api, deps);
  registerBestTimes(api, deps);
  registerTopPosts(api, deps);
  registerContent(api, deps);
  registerRefresh(api, deps);
  registerListPosts(api, deps);
  registerListAccounts(api, deps);
  registerConnectAccount(api, deps);
  registerDisconnectAccount(api, deps);
  app.route('/api/v1', api);
  registerDocs(app);

  app.notFound((c) => fail(c, 'not_found', `no route ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof ApiError) return fail(c, error.code, error.message, error.headers);
    if (error instanceof InvalidParameterError) return fail(c, 'bad_request', error.message);
    if (error instanceof NotFoundError) return fail(c, 'not_found', error.message);
    if (error instanceof HTTPException && error.status < 500) {
      return fail(c, codeForStatus(error.status), error.message || 'bad request');
    }
    c.get('logger').error({ err: error }, 'unhandled error');
    return fail(c, 'internal_error', 'internal error');
  });
  return app;
}
