import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { dataVersionKey } from './data-version.js';

export interface CachedResponse {
  status: number;
  /** The body as sent: UTF-8 JSON bytes, kept as bytes from Redis to the socket. */
  body: Buffer;
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
export function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/**
 * An entry is one Redis string: a JSON header line (`{"v": data version, "s": status, "e": etag}`), a
 * newline, then the body bytes. Bodies are never decoded to JS strings, which for answers of tens of
 * kilobytes is most of the cost of a cache hit.
 */
function encode(version: string, value: CachedResponse): Buffer {
  const header = Buffer.from(`${JSON.stringify({ v: version, s: value.status, e: value.etag })}\n`);
  return Buffer.concat([header, value.body]);
}

function decode(raw: Buffer): { version: string; response: CachedResponse } | undefined {
  const newline = raw.indexOf(0x0a);
  if (newline < 0) return undefined;
  const header = JSON.parse(raw.subarray(0, newline).toString('utf8')) as { v: string; s: number; e: string };
  return {
    version: header.v,
    response: { status: header.s, etag: header.e, body: raw.subarray(newline + 1) },
  };
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
      const [version, raw] = await redis.mgetBuffer(dataVersionKey(tenantId), key);
      const current = version ? version.toString() : '0';
      const entry = raw ? decode(raw) : undefined;
      return {
        hit: entry?.version === current ? entry.response : undefined,
        async store(value) {
          await redis.set(key, encode(current, value), 'EX', opts.ttlSeconds);
        },
      };
    },
  };
}
