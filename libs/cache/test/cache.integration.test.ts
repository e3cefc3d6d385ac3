import { createTestRedis } from '@postpulse/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bumpTenantDataVersion,
  bumpTenantDataVersions,
  createResponseCache,
  getTenantDataVersion,
} from '../src/index.js';

const { redis } = createTestRedis();
afterAll(() => redis.disconnect());

describe('tenant data version and response cache', () => {
  it('misses once the tenant’s data version is bumped, and only for that tenant', async () => {
    const cache = createResponseCache(redis, { ttlSeconds: 60 });
    const a = '11111111-1111-4111-8111-111111111111';
    const b = '22222222-2222-4222-8222-222222222222';
    expect(await getTenantDataVersion(redis, a)).toBe(0);
    // Bytes survive as they are: multi-byte UTF-8 and a raw newline after the entry's header line.
    const entry = { status: 200, body: Buffer.from('{"t":"ünï ✓ 🚀"}\n{"second":"line"}'), etag: '"x"' };
    await (await cache.lookup(a, 'q')).store(entry);
    await (await cache.lookup(b, 'q')).store(entry);
    expect((await cache.lookup(a, 'q')).hit).toEqual(entry);
    expect((await cache.lookup(a, 'other')).hit).toBeUndefined();
    await bumpTenantDataVersion(redis, a);
    expect((await cache.lookup(a, 'q')).hit).toBeUndefined();
    expect((await cache.lookup(b, 'q')).hit).toEqual(entry);
    await bumpTenantDataVersions(redis, [a, b, a]);
    expect(await getTenantDataVersion(redis, a)).toBe(2);
    expect(await getTenantDataVersion(redis, b)).toBe(1);
    expect((await cache.lookup(b, 'q')).hit).toBeUndefined();
  });
});
