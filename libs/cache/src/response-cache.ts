import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { dataVersionKey } from './data-version.js';
import type { TenantVersions } from './tenant-versions.js';

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

/** Answers also kept in this process, for tenants whose current data version `versions` knows. */
export interface LocalTier {
  versions: TenantVersions;
  maxBytes: number;
}

/**
 * Caches serialized responses per tenant and normalized query. Each entry records the tenant's data version
 * it was computed at; one MGET reads the current version and the entry together, and an entry of an older
 * version is a miss. So a bump of the version (new data) invalidates every cached answer of the tenant at
 * once, without scanning or deleting keys. Entries also expire after `ttlSeconds`, which bounds staleness
 * for answers that depend on the clock (a default "last 30 days").
 *
 * With a `local` tier, answers are also kept in memory (least recently used first out, by size) and served
 * without a round trip while the tenant's version is known in this process: two Redis commands and the
 * answer's bytes were a quarter of a cache hit's CPU.
 */
export function createResponseCache(
  redis: Redis,
  opts: { ttlSeconds: number; namespace?: string; local?: LocalTier | undefined },
): ResponseCache {
  const ns = opts.namespace ?? 'qcache';
  const { local } = opts;
  const kept = local
    ? new LRUCache<string, { version: string; response: CachedResponse }>({
        maxSize: local.maxBytes,
        sizeCalculation: (entry, key) => entry.response.body.byteLength + key.length * 2 + 200,
        ttl: opts.ttlSeconds * 1000,
      })
    : undefined;
  const redisKey = (tenantId: string, query: string) =>
    `${ns}:${tenantId}:${createHash('sha256').update(query).digest('base64url')}`;
  // The key is a thunk: a hit in memory needs no digest of the query unless something is stored.
  const lookupIn = (
    key: () => string,
    localKey: string,
    version: string,
    hit: CachedResponse | undefined,
  ) => ({
    hit,
    async store(value: CachedResponse) {
      await redis.set(key(), encode(version, value), 'EX', opts.ttlSeconds);
      kept?.set(localKey, { version, response: value });
    },
  });
  return {
    async lookup(tenantId, query) {
      const localKey = `${tenantId} ${query}`;
      const known = local?.versions.known(tenantId);
      const mine = known === undefined ? undefined : kept?.get(localKey);
      if (mine && mine.version === known) {
        return lookupIn(() => redisKey(tenantId, query), localKey, known, mine.response);
      }
      const key = redisKey(tenantId, query);
      const reading = local?.versions.reading(tenantId);
      const [version, raw] = await redis.mgetBuffer(dataVersionKey(tenantId), key);
      const current = version ? version.toString() : '0';
      if (reading) local?.versions.learn(reading, current);
      const entry = raw ? decode(raw) : undefined;
      const hit = entry?.version === current ? entry.response : undefined;
      if (hit) kept?.set(localKey, { version: current, response: hit });
      return lookupIn(() => key, localKey, current, hit);
    },
  };
}
