import type { MiddlewareHandler } from 'hono';
import type { Redis } from 'ioredis';
import type { AppEnv } from '../context.js';
import { ApiError } from '../errors.js';

const WINDOW_SECONDS = 60;

// INCR and set the expiry in one step, so a crash between them cannot leave a key that never expires.
const SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n`;

/**
 * Fixed one-minute windows per tenant in Redis, shared by every replica. The limit is the tenant's own
 * (`tenants.rate_limit_per_minute`) or the service default. Headers follow the IETF RateLimit draft.
 */
export function rateLimit(
  redis: Redis,
  defaultPerMinute: number,
  now: () => Date,
): MiddlewareHandler<AppEnv> {
  // Sent once, then called by its SHA (EVALSHA; ioredis reloads it if Redis lost it).
  if (!('postpulseRateLimit' in redis)) {
    redis.defineCommand('postpulseRateLimit', { numberOfKeys: 1, lua: SCRIPT });
  }
  const incr = (redis as unknown as { postpulseRateLimit(key: string, ttl: number): Promise<number> })
    .postpulseRateLimit;
  return async (c, next) => {
    const tenant = c.get('auth').tenant;
    const limit = tenant.rate_limit_per_minute ?? defaultPerMinute;
    const nowSeconds = Math.floor(now().getTime() / 1000);
    const window = Math.floor(nowSeconds / WINDOW_SECONDS);
    const reset = (window + 1) * WINDOW_SECONDS - nowSeconds;
    const count = Number(
      await incr.call(redis, `ratelimit:tenant:${tenant.id}:${window}`, WINDOW_SECONDS * 2),
    );
    const headers = {
      'RateLimit-Limit': String(limit),
      'RateLimit-Remaining': String(Math.max(0, limit - count)),
      'RateLimit-Reset': String(reset),
      'RateLimit-Policy': `${limit};w=${WINDOW_SECONDS}`,
    };
    if (count > limit) {
      throw new ApiError('rate_limited', `rate limit of ${limit} requests per minute exceeded`, {
        ...headers,
        'Retry-After': String(reset),
      });
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}
