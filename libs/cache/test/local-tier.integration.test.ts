import { createTestRedis, waitUntil } from '@postpulse/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { bumpTenantDataVersion, createResponseCache, trackTenantVersions } from '../src/index.js';

const { redis, prefix } = createTestRedis();
const name = `cache-test-${prefix.replaceAll(':', '-')}`;
const downs: unknown[] = [];
const versions = trackTenantVersions(redis, { connectionName: name, onDown: (error) => downs.push(error) });
afterAll(() => {
  versions.close();
  redis.disconnect();
});

const entry = (text: string) => ({ status: 200, body: Buffer.from(text), etag: `"${text}"` });
const live = () =>
  waitUntil('invalidations subscribed', async () => versions.live, Boolean, { timeoutMs: 10_000 });

/** Waits until Redis's notification (of a write or a flush) has made the process forget the tenant's version. */
const forgotten = (tenant: string, what: string) =>
  waitUntil(
    what,
    async () => versions.known(tenant),
    (v) => v === undefined,
    { timeoutMs: 5000, intervalMs: 10 },
  );

describe('response cache with a local tier', () => {
  it('serves a known version from memory, and misses once Redis tells of a new one', async () => {
    await live();
    const cache = createResponseCache(redis, { ttlSeconds: 60, local: { versions, maxBytes: 1 << 20 } });
    const tenant = '33333333-3333-4333-8333-333333333333';
    await (await cache.lookup(tenant, 'q')).store(entry('first'));
    expect(versions.known(tenant)).toBe('0');
    // With the Redis entry gone, only this process can still answer.
    await redis.del(...(await redis.keys(`${prefix}qcache:${tenant}:*`)).map((k) => k.slice(prefix.length)));
    expect((await cache.lookup(tenant, 'q')).hit).toEqual(entry('first'));

    await bumpTenantDataVersion(redis, tenant);
    await forgotten(tenant, 'the new version noticed');
    expect((await cache.lookup(tenant, 'q')).hit).toBeUndefined();
    expect(versions.known(tenant)).toBe('1');
  });

  it('keeps no version read while an invalidation of it arrived', async () => {
    await live();
    const tenant = '44444444-4444-4444-8444-444444444444';
    versions.learn(versions.reading(tenant), '0');
    expect(versions.known(tenant)).toBe('0');
    const reading = versions.reading(tenant);
    await bumpTenantDataVersion(redis, tenant);
    await forgotten(tenant, 'the invalidation');
    versions.learn(reading, '0'); // read before the bump: stale
    expect(versions.known(tenant)).toBeUndefined();
    versions.learn(versions.reading(tenant), '1');
    expect(versions.known(tenant)).toBe('1');
  });

  it('reads from Redis while the subscription is down, and serves from memory again once it is back', async () => {
    await live();
    const cache = createResponseCache(redis, { ttlSeconds: 60, local: { versions, maxBytes: 1 << 20 } });
    const tenant = '55555555-5555-4555-8555-555555555555';
    await (await cache.lookup(tenant, 'q')).store(entry('before'));
    expect(versions.known(tenant)).toBe('0');

    const clients = String(await redis.call('CLIENT', 'LIST'));
    const id = clients
      .split('\n')
      .find((line) => line.includes(` name=${name} `))
      ?.match(/id=(\d+)/)?.[1];
    expect(id).toBeDefined();
    await redis.call('CLIENT', 'KILL', 'ID', id ?? '');
    await waitUntil(
      'the subscription seen down',
      async () => versions.live,
      (v) => !v,
      { timeoutMs: 5000, intervalMs: 5 },
    );
    expect(downs).toHaveLength(1);
    // A change made while nobody listens must not be missed.
    await bumpTenantDataVersion(redis, tenant);
    expect(versions.known(tenant)).toBeUndefined();
    expect((await cache.lookup(tenant, 'q')).hit).toBeUndefined();

    await live();
    const lookup = await cache.lookup(tenant, 'q');
    expect(lookup.hit).toBeUndefined();
    await lookup.store(entry('after'));
    expect(versions.known(tenant)).toBe('1');
    expect((await cache.lookup(tenant, 'q')).hit).toEqual(entry('after'));
  });

  it('forgets every version when a database is flushed', async () => {
    await live();
    const tenant = '66666666-6666-4666-8666-666666666666';
    versions.learn(versions.reading(tenant), '7');
    expect(versions.known(tenant)).toBe('7');
    // Redis tells every tracking client of any flush; an empty database of its own spares the other tests' keys.
    const other = createTestRedis().redis;
    await other.select(9);
    await other.flushdb();
    other.disconnect();
    await forgotten(tenant, 'the flush noticed');
  });
});
