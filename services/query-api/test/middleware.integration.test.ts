import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { bumpTenantDataVersion, trackTenantVersions } from '@postpulse/cache';
import { refreshRequestSchema } from '@postpulse/contracts';
import { createConsumer, createKafka } from '@postpulse/kafka';
import { stackEnv, uniqueGroupId, waitUntil } from '@postpulse/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import type { Overview } from '../src/routes/analytics/overview.js';
import { tenantData } from './fixtures.js';
import { bodyOf, createHarness, errorOf, type Harness, quietLogger } from './harness.js';

const NOW = new Date('2026-04-01T10:00:30Z');
const range = 'start_date=2026-03-01&end_date=2026-03-31';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ now: NOW, cacheTtlSeconds: 300, rateLimitPerMinute: 1000 });
});
afterAll(async () => {
  await h?.close();
});

describe('rate limit', () => {
  it('answers 429 with Retry-After and RateLimit headers past the tenant’s own limit', async () => {
    const t = await h.tenant('Limited', { rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) {
      const res = await h.get('/api/v1/accounts', t.key);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('3');
      expect(res.headers.get('ratelimit-remaining')).toBe(String(2 - i));
    }
    const res = await h.get('/api/v1/accounts', t.key);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('30'); // the clock is pinned 30 s into the minute
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
    expect((await errorOf(res)).error.code).toBe('rate_limited');
    // Another tenant is not affected.
    const other = await h.tenant('Unlimited');
    expect((await h.get('/api/v1/accounts', other.key)).status).toBe(200);
  });

  it('uses the service default when the tenant has none', async () => {
    const t = await h.tenant('Default limit');
    const res = await h.get('/api/v1/accounts', t.key);
    expect(res.headers.get('ratelimit-limit')).toBe('1000');
  });
});

describe('response cache and ETag', () => {
  it('serves a cached answer until the tenant’s data version changes, and 304 for a matching ETag', async () => {
    const t = await h.tenant('Cached', { timezone: 'Europe/Berlin' });
    const first = tenantData({
      tenantId: t.id,
      marker: 'cache1',
      count: 6,
      start: Date.UTC(2026, 2, 3),
      days: 20,
      seed: 3,
    });
    await h.ingest(first.posts);
    const path = `/api/v1/analytics/overview?${range}`;
    const miss = await h.get(path, t.key);
    expect(miss.status).toBe(200);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    const etag = miss.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const missBody = await bodyOf<Overview>(miss);
    expect(missBody.summary.total_posts).toBe(6);

    const hit = await h.get(path, t.key);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.headers.get('etag')).toBe(etag);
    expect(await bodyOf<Overview>(hit)).toEqual(missBody);

    const notModified = await h.get(path, t.key, { 'if-none-match': etag ?? '' });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');

    // New data arrives; without a version bump the cached answer stays (proving the cache is used) …
    const more = tenantData({
      tenantId: t.id,
      marker: 'cache2',
      count: 4,
      start: Date.UTC(2026, 2, 3),
      days: 20,
      seed: 4,
    });
    await h.ingest(more.posts);
    expect((await bodyOf<Overview>(await h.get(path, t.key))).summary.total_posts).toBe(6);
    // … and the aggregator's bump makes the next request see it.
    await bumpTenantDataVersion(h.redis, t.id);
    const fresh = await h.get(path, t.key, { 'if-none-match': etag ?? '' });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('x-cache')).toBe('MISS');
    expect(fresh.headers.get('etag')).not.toBe(etag);
    expect((await bodyOf<Overview>(fresh)).summary.total_posts).toBe(10);
  });

  it('with a local tier, serves hits from the process until Redis reports the tenant’s new version', async () => {
    const versions = trackTenantVersions(h.redis, { connectionName: `qa-local-${h.refreshTopic}` });
    try {
      const app = createApp({ ...h.deps, localCache: { versions, maxBytes: 1 << 20 } });
      await waitUntil('invalidations subscribed', async () => versions.live, Boolean, { timeoutMs: 10_000 });
      const t = await h.tenant('Cached locally');
      const data = (marker: string, count: number, seed: number) =>
        tenantData({ tenantId: t.id, marker, count, start: Date.UTC(2026, 2, 3), days: 20, seed });
      await h.ingest(data('local1', 3, 5).posts);
      const path = `/api/v1/analytics/overview?${range}`;
      const get = () => app.request(path, { headers: { authorization: `Bearer ${t.key}` } });
      expect((await get()).headers.get('x-cache')).toBe('MISS');
      // Without the Redis entries only the process can still answer.
      const prefix = h.redis.options.keyPrefix ?? '';
      const keys = await h.redis.keys(`${prefix}qcache:${t.id}:*`);
      expect(keys.length).toBe(1);
      await h.redis.del(...keys.map((k) => k.slice(prefix.length)));
      const hit = await get();
      expect(hit.headers.get('x-cache')).toBe('HIT');
      expect((await bodyOf<Overview>(hit)).summary.total_posts).toBe(3);

      await h.ingest(data('local2', 2, 6).posts);
      await bumpTenantDataVersion(h.redis, t.id);
      await waitUntil(
        'the new version seen',
        async () => (await bodyOf<Overview>(await get())).summary.total_posts,
        (n) => n === 5,
        { timeoutMs: 5000, intervalMs: 10 },
      );
    } finally {
      versions.close();
    }
  });

  it('keys the cache per tenant and per query', async () => {
    const a = await h.tenant('Cache A');
    const b = await h.tenant('Cache B');
    await h.ingest(
      tenantData({
        tenantId: a.id,
        marker: 'cachea',
        count: 5,
        start: Date.UTC(2026, 2, 3),
        days: 20,
        seed: 5,
      }).posts,
    );
    const path = `/api/v1/analytics/overview?${range}`;
    expect((await bodyOf<Overview>(await h.get(path, a.key))).summary.total_posts).toBe(5);
    const forB = await h.get(path, b.key);
    expect(forB.headers.get('x-cache')).toBe('MISS');
    expect((await bodyOf<Overview>(forB)).summary.total_posts).toBe(0);
    const other = await h.get(`${path}&platform=linkedin`, a.key);
    expect(other.headers.get('x-cache')).toBe('MISS');
    // Parameter order does not matter.
    const reordered = await h.get(
      '/api/v1/analytics/overview?end_date=2026-03-31&start_date=2026-03-01',
      a.key,
    );
    expect(reordered.headers.get('x-cache')).toBe('HIT');
  });

  it('reads the key, the request id and If-None-Match from Node’s incoming message when served over HTTP', async () => {
    const t = await h.tenant('Over HTTP');
    const server = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const url = `http://127.0.0.1:${port}/api/v1/analytics/overview?${range}`;
      const auth = { authorization: `Bearer ${t.key}` };
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer not-a-key' } })).status).toBe(401);
      const first = await fetch(url, { headers: { ...auth, 'x-request-id': 'http-request-0001' } });
      expect(first.status).toBe(200);
      expect(first.headers.get('x-request-id')).toBe('http-request-0001');
      const etag = first.headers.get('etag') ?? '';
      expect(etag).toMatch(/^".+"$/);
      const notModified = await fetch(url, { headers: { ...auth, 'if-none-match': `"other", ${etag}` } });
      expect(notModified.status).toBe(304);
      expect(notModified.headers.get('x-cache')).toBe('HIT');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('does not cache errors', async () => {
    const t = await h.tenant('Cache errors');
    const bad = '/api/v1/analytics/top-posts?metric=vibes';
    expect((await h.get(bad, t.key)).status).toBe(400);
    const again = await h.get(bad, t.key);
    expect(again.status).toBe(400);
    expect(again.headers.get('x-cache')).toBeNull();
  });
});

describe('POST /analytics/refresh', () => {
  it('returns 202 and publishes one request per platform keyed tenant_id:platform', async () => {
    const t = await h.tenant('Refresher');
    const kafka = createKafka({
      brokers: [stackEnv().KAFKA_BROKERS],
      clientId: 'qa-refresh-test',
      logger: quietLogger(),
    });
    const consumer = createConsumer(kafka, { groupId: uniqueGroupId('qa-refresh') });
    const seen: { key: string; value: unknown }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: h.refreshTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({
          key: message.key?.toString() ?? '',
          value: JSON.parse(message.value?.toString() ?? 'null'),
        });
      },
    });
    try {
      const res = await h.app.request('/api/v1/analytics/refresh', {
        method: 'POST',
        headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ platforms: ['linkedin', 'twitter'] }),
      });
      expect(res.status).toBe(202);
      const body = await bodyOf<{ request_id: string; platforms: string[] }>(res);
      expect(body.platforms).toEqual(['linkedin', 'twitter']);
      const mine = () => seen.filter((m) => m.key.startsWith(t.id));
      await waitUntil(
        'refresh messages',
        async () => mine().length,
        (n) => n >= 2,
      );
      expect(
        mine()
          .map((m) => m.key)
          .sort(),
      ).toEqual([`${t.id}:linkedin`, `${t.id}:twitter`]);
      for (const m of mine()) {
        const parsed = refreshRequestSchema.parse(m.value);
        expect(parsed.request_id).toBe(body.request_id);
        expect(parsed.tenant_id).toBe(t.id);
      }
      // Without a body every platform is asked.
      const all = await h.app.request('/api/v1/analytics/refresh', {
        method: 'POST',
        headers: { authorization: `Bearer ${t.key}` },
      });
      expect(all.status).toBe(202);
      expect((await bodyOf<{ platforms: string[] }>(all)).platforms).toHaveLength(4);
      await waitUntil(
        'all refresh messages',
        async () => mine().length,
        (n) => n >= 6,
      );
    } finally {
      await consumer.disconnect();
    }
  });

  it('rejects an unknown platform', async () => {
    const t = await h.tenant('Refresher 2');
    const res = await h.app.request('/api/v1/analytics/refresh', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ platforms: ['myspace'] }),
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).error.message).toMatch(/platforms/);
  });
});

describe('OpenAPI and docs', () => {
  it('serves an OpenAPI 3.1 document covering every route, without a key', async () => {
    const res = await h.get('/api/v1/openapi.json', null);
    expect(res.status).toBe(200);
    const doc = await bodyOf<{
      openapi: string;
      paths: Record<string, Record<string, { description?: string }>>;
      components: { securitySchemes: Record<string, { scheme: string }> };
    }>(res);
    expect(doc.openapi).toBe('3.1.0');
    for (const p of [
      '/api/v1/analytics/overview',
      '/api/v1/analytics/posts/{post_id}',
      '/api/v1/analytics/trends',
      '/api/v1/analytics/platform-comparison',
      '/api/v1/analytics/best-times',
      '/api/v1/analytics/top-posts',
      '/api/v1/analytics/content',
      '/api/v1/analytics/refresh',
      '/api/v1/accounts',
      '/api/v1/accounts/{account_id}',
      '/api/v1/posts',
    ]) {
      expect(doc.paths[p], p).toBeDefined();
    }
    expect(doc.paths['/api/v1/analytics/overview']?.get?.description).toMatch(
      /Σ engagements \/ Σ impressions/,
    );
    expect(doc.components.securitySchemes.bearerAuth?.scheme).toBe('bearer');
  });

  it('serves the interactive docs page', async () => {
    const res = await h.get('/api/v1/docs', null);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('/api/v1/openapi.json');
  });
});
