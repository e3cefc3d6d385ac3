import type { Redis } from 'ioredis';

const CHANNEL = '__redis__:invalidate';
const SUFFIX = ':data_version';

/** What `reading` noted before a version was read from Redis; `learn` keeps the version only if it still holds. */
export interface VersionReading {
  readonly tenantId: string;
  readonly changes: number;
  readonly resets: number;
}

/**
 * Tenants' data versions known in this process, kept current by Redis itself: server-assisted client-side
 * caching (`CLIENT TRACKING … BCAST PREFIX tenant:`) sends every change of a version key to this process's
 * subscription, which forgets that tenant's version. While the subscription is down nothing is known, so
 * callers read versions from Redis as before; a version is also forgotten after `maxAgeMs`, which bounds
 * what a notification lost without the connection dropping could cost.
 */
export interface TenantVersions {
  /** The tenant's data version if this process knows it to be current. */
  known(tenantId: string): string | undefined;
  /** Call before reading a version from Redis, and pass the note to `learn` with the value read. */
  reading(tenantId: string): VersionReading;
  /** Keeps a version read from Redis, unless it changed (or the subscription dropped) since `reading`. */
  learn(reading: VersionReading, version: string): void;
  /** True while invalidations arrive, i.e. while `known` may answer. */
  readonly live: boolean;
  close(): void;
}

export interface TenantVersionOptions {
  maxAgeMs?: number;
  /** Shown in Redis's CLIENT LIST. */
  connectionName?: string;
  /** Told when the subscription drops or cannot be set up; the process then reads versions from Redis. */
  onDown?: (error: unknown) => void;
}

/**
 * Subscribes on a connection of its own (a duplicate of `redis`, with its key prefix) and redirects the
 * tracking of that same connection to itself, so that a reconnect sets up both again at once.
 */
export function trackTenantVersions(redis: Redis, opts: TenantVersionOptions = {}): TenantVersions {
  const maxAgeMs = opts.maxAgeMs ?? 10_000;
  const prefix = `${redis.options.keyPrefix ?? ''}tenant:`;
  const versions = new Map<string, { version: string; until: number }>();
  // A tenant's count of invalidations, and of everything forgotten at once, so that a version read while
  // one arrived is not kept.
  const changes = new Map<string, number>();
  let resets = 0;
  let live = false;

  const forgetAll = () => {
    versions.clear();
    changes.clear();
    resets++;
  };
  const forget = (key: string) => {
    if (!key.startsWith(prefix) || !key.endsWith(SUFFIX)) return;
    const tenantId = key.slice(prefix.length, -SUFFIX.length);
    versions.delete(tenantId);
    if (changes.size >= 100_000) forgetAll();
    else changes.set(tenantId, (changes.get(tenantId) ?? 0) + 1);
  };
  const down = (error: unknown, report: boolean) => {
    if (report) opts.onDown?.(error);
    live = false;
    forgetAll();
  };

  const sub = redis.duplicate({
    autoResubscribe: false,
    enableAutoPipelining: false,
    enableOfflineQueue: false,
    lazyConnect: false,
    connectionName: opts.connectionName ?? 'postpulse-cache-invalidations',
  });
  sub.on('ready', async () => {
    try {
      const id = await sub.client('ID');
      await sub.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id), 'BCAST', 'PREFIX', prefix);
      await sub.subscribe(CHANNEL);
      forgetAll();
      live = true;
    } catch (error) {
      down(error, true); // e.g. a Redis older than 6: lookups keep reading versions from Redis
    }
  });
  // A null payload means the whole database was flushed.
  sub.on('messageBuffer', (_channel: Buffer, keys: Buffer[] | Buffer | null) => {
    if (keys === null) forgetAll();
    else for (const key of Array.isArray(keys) ? keys : [keys]) forget(key.toString());
  });
  sub.on('close', () => down(new Error('invalidation subscription closed'), live));
  sub.on('error', () => undefined); // reported through 'close'; ioredis reconnects

  return {
    known(tenantId) {
      if (!live) return undefined;
      const entry = versions.get(tenantId);
      if (!entry) return undefined;
      if (entry.until <= Date.now()) {
        versions.delete(tenantId);
        return undefined;
      }
      return entry.version;
    },
    reading: (tenantId) => ({ tenantId, changes: changes.get(tenantId) ?? 0, resets }),
    learn(reading, version) {
      if (!live || reading.resets !== resets || (changes.get(reading.tenantId) ?? 0) !== reading.changes)
        return;
      versions.set(reading.tenantId, { version, until: Date.now() + maxAgeMs });
    },
    get live() {
      return live;
    },
    close() {
      live = false;
      forgetAll();
      sub.disconnect();
    },
  };
}
