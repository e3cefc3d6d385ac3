import { type CachedResponse, type CacheLookup, etagOf, type ResponseCache } from '@postpulse/cache';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';
import { localDate } from '../domain/time.js';

function notModified(c: Context<AppEnv>, etag: string): boolean {
  const header = c.req.header('if-none-match');
  if (!header) return false;
  return header === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

function respond(c: Context<AppEnv>, entry: CachedResponse, state: 'HIT' | 'MISS'): Response {
  const headers = new Headers(c.res.headers);
  headers.set('ETag', entry.etag);
  headers.set('Cache-Control', 'private, no-cache');
  headers.set('X-Cache', state);
  if (notModified(c, entry.etag)) {
    headers.delete('content-type');
    headers.delete('content-length');
    return new Response(null, { status: 304, headers });
  }
  headers.set('content-type', 'application/json');
  return new Response(entry.body, { status: entry.status, headers });
}

/**
 * Caches successful GET answers per tenant, tenant data version and normalized query, and answers
 * If-None-Match with 304. The key includes the tenant's zone and local date, because a default range
 * ("the last 30 days") moves with the date. Redis trouble never fails a request: it only skips the cache.
 */
export function responseCache(cache: ResponseCache, now: () => Date): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'GET') return next();
    const { tenant } = c.get('auth');
    const url = new URL(c.req.url);
    const params = [...url.searchParams.entries()].sort(([a, x], [b, y]) =>
      a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1,
    );
    const query = JSON.stringify([url.pathname, params, tenant.timezone, localDate(now(), tenant.timezone)]);
    let lookup: CacheLookup | undefined;
    try {
      lookup = await cache.lookup(tenant.id, query);
      if (lookup.hit) {
        c.res = respond(c, lookup.hit, 'HIT');
        return;
      }
    } catch (error) {
      c.get('logger').warn({ err: error }, 'response cache unavailable');
    }
    await next();
    if (c.res.status !== 200) return;
    const body = await c.res.clone().text();
    const entry: CachedResponse = { status: 200, body, etag: etagOf(body) };
    if (lookup) {
      try {
        await lookup.store(entry);
      } catch (error) {
        c.get('logger').warn({ err: error }, 'could not store response in cache');
      }
    }
    c.res = respond(c, entry, 'MISS');
  };
}
