import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { dataVersionKey } from './data-version.js';

export interface CachedResponse {
  status: number;
  body: string;
  etag: string;
}

export interface CacheLookup {
  /** The cached answer, if one exists for the tenant's current data version. */
  hit: CachedResponse | undefined;
  /** Stores an answer under the data version seen by this lookup. */
  store(value: CachedResponse): Promise<void>;
}

export interface ResponseCache {
  lookup(tenantId: string, query: string): Promise<CacheLookup>;
}

/** A strong ETag from the body: equal bodies, equal tags, whatever the cache state. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

interface Entry extends CachedResponse {
  version: string;
}

/**
 * Caches serialized responses per tenant and normalized query. Each entry records the tenant's data version
 * it was computed at; one MGET reads the current version and the entry together, and an entry of an older
 * version is a miss. So a bump of the version (new data) invalidates every cached answer of the tenant at
 * once, without scanning or deleting keys. Entries also expire after `ttlSeconds`, which bounds staleness
 * for answers that depend on the clock (a default "last 30 days").
 */
export function createResponseCache(
  redis: Redis,
  opts: { ttlSeconds: number; namespace?: string },
): ResponseCache {
  const ns = opts.namespace ?? 'qcache';
  return {
    async lookup(tenantId, query) {
      const digest = createHash('sha256').update(query).digest('base64url');
      const key = `${ns}:${tenantId}:${digest}`;
      const [version, raw] = await redis.mget(dataVersionKey(tenantId), key);
      const current = version ?? '0';
      let hit: CachedResponse | undefined;
      if (raw) {
        const entry = JSON.parse(raw) as Entry;
        if (entry.version === current) hit = { status: entry.status, body: entry.body, etag: entry.etag };
      }
      return {
        hit,
        async store(value) {
          const entry: Entry = { ...value, version: current };
          await redis.set(key, JSON.stringify(entry), 'EX', opts.ttlSeconds);
        },
      };
    },
  };
}
