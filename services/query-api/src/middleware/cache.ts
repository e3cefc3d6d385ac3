import { type CachedResponse, type CacheLookup, etagOf, type ResponseCache } from '@postpulse/cache';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../context.js';
import { localDate } from '../domain/time.js';
import { requestHeader } from './request-header.js';

function notModified(c: Context<AppEnv>, etag: string): boolean {
  const header = requestHeader(c, 'if-none-match');
  if (!header) return false;
  return header === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** Built with `c.body`, so the bytes go to the socket without an intermediate Response copy. */
function respond(c: Context<AppEnv>, entry: CachedResponse, state: 'HIT' | 'MISS'): Response {
  const headers = { ETag: entry.etag, 'Cache-Control': 'private, no-cache', 'X-Cache': state };
  if (notModified(c, entry.etag)) return c.body(null, 304, headers);
  return c.body(
    new Uint8Array(entry.body.buffer as ArrayBuffer, entry.body.byteOffset, entry.body.byteLength),
    entry.status as ContentfulStatusCode,
    { ...headers, 'Content-Type': 'application/json' },
  );
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
    // The query string as written, without parsing the whole URL again (the node adapter already did).
    const url = c.req.url;
    const start = url.indexOf('?');
    const params =
      start < 0
        ? []
        : [...new URLSearchParams(url.slice(start + 1))].sort(([a, x], [b, y]) =>
            a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1,
          );
    const query = JSON.stringify([c.req.path, params, tenant.timezone, localDate(now(), tenant.timezone)]);
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
    const body = Buffer.from(await c.res.arrayBuffer());
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
