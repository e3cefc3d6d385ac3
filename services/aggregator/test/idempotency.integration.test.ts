import { randomUUID } from 'node:crypto';
import { getTenantDataVersion } from '@postpulse/cache';
import { rebuildFollowerHours } from '@postpulse/db';
import { readBestTimes, readMetricsByBucket, readPostLatestTotals } from '@postpulse/olap';
import { stackEnv, waitUntil } from '@postpulse/testing';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountEvent, accountMessage, emptyMetrics, postEvent, postMessage } from './fixtures.js';
import { chRows, createHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.startAggregator();
});
afterAll(() => h.close());

const countSnapshots = async (tenantId: string) =>
  Number(
    (
      await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM post_metric_snapshots WHERE tenant_id = ${tenantId}`.execute(h.db)
    ).rows[0]?.n,
  );

describe('idempotency', () => {
  it('counts an event delivered 5 times, and one observation under two event_ids, once everywhere', async () => {
    const tenant = randomUUID();
    const first = postEvent({
      tenant_id: tenant,
      platform_post_id: 'urn:li:share:1',
      observed_at: '2026-11-20T10:15:00Z',
      metrics: { ...emptyMetrics, impressions: 1000, likes_count: 40, comments_count: 5, shares_count: 5 },
    });
    const second = postEvent({
      tenant_id: tenant,
      platform_post_id: 'urn:li:share:1',
      observed_at: '2026-11-20T14:15:00Z',
      metrics: { ...emptyMetrics, impressions: 1500, likes_count: 60, comments_count: 5, shares_count: 5 },
    });
    // The same observation again under another event id, in a different UTC offset notation.
    const sameObservation = { ...second, event_id: randomUUID(), observed_at: '2026-11-20T15:15:00+01:00' };
    // A marker after everything else on the same key (so the same partition) tells when all was consumed.
    const marker = postEvent({
      tenant_id: tenant,
      platform_post_id: 'urn:li:share:1',
      observed_at: '2026-11-19T08:00:00Z',
      post: null,
      metrics: { ...emptyMetrics, impressions: 10 },
    });
    for (let i = 0; i < 5; i++) await h.send(h.postTopic, [postMessage(first)]);
    await h.send(h.postTopic, [postMessage(second), postMessage(second), postMessage(sameObservation)]);
    await h.send(h.postTopic, [postMessage(marker)]);

    await waitUntil(
      'all snapshots in Postgres',
      () => countSnapshots(tenant),
      (n) => n >= 3,
    );
    // Let the marker's ClickHouse write land too: it is in the same micro-batch or a later one.
    await waitUntil(
      'ClickHouse rows',
      async () =>
        (
          await chRows<{ n: string }>(
            h.olap,
            `SELECT count() AS n FROM post_metrics_hourly_v1 FINAL WHERE tenant_id = '${tenant}'`,
          )
        )[0]?.n,
      (n) => n === '3',
    );
    expect(await countSnapshots(tenant)).toBe(3);

    const posts = await h.db.selectFrom('posts').selectAll().where('tenant_id', '=', tenant).execute();
    expect(posts).toHaveLength(1);
    const latest = await h.db
      .selectFrom('post_metrics_latest')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .executeTakeFirstOrThrow();
    expect(latest.impressions).toBe(1500);
    expect(latest.observed_at.toISOString()).toBe('2026-11-20T14:15:00.000Z');

    const [totals] = await readPostLatestTotals(h.olap.client, { tenantId: tenant });
    expect(totals).toMatchObject({ impressions: 1500, likes_count: 60, post_id: posts[0]?.id });

    const days = await readMetricsByBucket(h.olap.client, {
      tenantId: tenant,
      bucket: 'day',
      from: new Date('2026-11-19T00:00:00Z'),
      to: new Date('2026-11-21T00:00:00Z'),
    });
    expect(days.map((d) => [d.bucket, d.totals.impressions, d.gained.impressions])).toEqual([
      ['2026-11-19', 10, 10],
      ['2026-11-20', 1500, 1490],
    ]);
    const hours = await readMetricsByBucket(h.olap.client, {
      tenantId: tenant,
      bucket: 'hour',
      from: new Date('2026-11-20T00:00:00Z'),
      to: new Date('2026-11-21T00:00:00Z'),
    });
    expect(hours.map((d) => [d.bucket, d.totals.impressions, d.gained.impressions])).toEqual([
      ['2026-11-20T10:00:00Z', 1000, 990],
      ['2026-11-20T14:00:00Z', 1500, 500],
    ]);
    const best = await readBestTimes(h.olap.client, { tenantId: tenant, timeZone: 'Europe/Berlin' });
    // Published 2026-11-01T09:30Z, a Sunday, 10:30 in Berlin.
    expect(best).toEqual([
      {
        weekday: 7,
        hour: 10,
        posts: 1,
        impressions: 1500,
        engagements: 70,
        engagement_rate: (70 / 1500) * 100,
      },
    ]);
  });

  it('keeps the newest snapshot as latest when snapshots arrive newest-first, and all of them in history', async () => {
    const tenant = randomUUID();
    const observations = [
      '2026-11-22T12:00:00Z',
      '2026-11-21T12:00:00Z',
      '2026-11-20T12:00:00Z',
      '2026-10-30T12:00:00Z',
    ];
    const events = observations.map((observed_at, i) =>
      postEvent({
        tenant_id: tenant,
        platform_post_id: '1851234567890123456',
        platform: 'twitter',
        observed_at,
        // The newest carries the post's attributes; older ones do not, and must not erase them.
        post:
          i === 0
            ? {
                published_at: '2026-10-29T18:00:00Z',
                content_type: 'video',
                content_text: 'launch day #ship #video',
                hashtags: ['ship', 'vi"de\\o', '{x,y}', 'NULL'],
                platform_post_url: 'https://x.com/i/status/1851234567890123456',
              }
            : null,
        metrics: { ...emptyMetrics, impressions: 4000 - i * 1000, likes_count: 400 - i * 100 },
      }),
    );
    // One message per send, so each lands in its own micro-batch as well as in one batch.
    for (const e of events) await h.send(h.postTopic, [postMessage(e)]);

    await waitUntil(
      'history complete',
      () => countSnapshots(tenant),
      (n) => n === 4,
    );
    const latest = await h.db
      .selectFrom('post_metrics_latest')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .executeTakeFirstOrThrow();
    expect(latest).toMatchObject({ impressions: 4000, likes_count: 400 });
    expect(latest.observed_at.toISOString()).toBe('2026-11-22T12:00:00.000Z');
    const history = await h.db
      .selectFrom('post_metric_snapshots')
      .select(['observed_at', 'impressions'])
      .where('tenant_id', '=', tenant)
      .orderBy('observed_at')
      .execute();
    expect(history.map((r) => r.impressions)).toEqual([1000, 2000, 3000, 4000]);
    const post = await h.db
      .selectFrom('posts')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .executeTakeFirstOrThrow();
    expect(post).toMatchObject({ content_type: 'video', hashtags: ['ship', 'vi"de\\o', '{x,y}', 'NULL'] });

    await waitUntil(
      'ClickHouse latest',
      () => readPostLatestTotals(h.olap.client, { tenantId: tenant }),
      (rows) => rows.length === 1 && rows[0]?.impressions === 4000,
    );
    // Two monthly partitions were created on demand for October and November.
    const parts = await sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'post_metric_snapshots'::regclass ORDER BY 1`.execute(h.db);
    expect(parts.rows.map((r) => r.name)).toEqual(
      expect.arrayContaining(['post_metric_snapshots_p202610', 'post_metric_snapshots_p202611']),
    );
  });
});

describe('hourly follower summary', () => {
  it('keeps each UTC hour’s first and last followers whatever the order, batching and repeats', async () => {
    const tenant = randomUUID();
    const at = (observed_at: string, followers: number | null) =>
      accountEvent({
        tenant_id: tenant,
        observed_at,
        metrics: { followers_count: followers, following_count: null, posts_count: null },
      });
    const first = at('2026-11-20T00:30:00Z', 100);
    const events = [
      at('2026-11-20T00:45:00Z', 120),
      at('2026-11-20T00:59:59Z', 190),
      first,
      at('2026-11-21T06:00:00Z', 200),
      // No followers reported: not part of the summary.
      at('2026-11-21T06:10:00Z', null),
      at('2026-11-21T06:50:00Z', 260),
      at('2026-11-21T06:20:00Z', 210),
    ];
    // Newest days first, one message per batch, then everything again in one batch.
    for (const e of [...events].reverse()) await h.send(h.accountTopic, [accountMessage(e)]);
    await h.send(h.accountTopic, events.map(accountMessage));
    // The hour's first instant again under another event id: the snapshot written first stays, here too.
    const again = { ...first, event_id: randomUUID(), metrics: { ...first.metrics, followers_count: 999 } };
    await h.send(h.accountTopic, [accountMessage(again)]);
    const marker = at('2026-11-22T00:00:00Z', 300);
    await h.send(h.accountTopic, [accountMessage(marker)]);
    const hours = () =>
      h.db
        .selectFrom('account_followers_hourly')
        .select(['hour', 'first_observed_at', 'first_followers', 'last_observed_at', 'last_followers'])
        .where('tenant_id', '=', tenant)
        .orderBy('hour')
        .execute();
    await waitUntil('the marker’s hour', hours, (rows) => rows.length === 3);
    const live = await hours();
    expect(live.map((r) => [r.hour.toISOString().slice(0, 13), r.first_followers, r.last_followers])).toEqual(
      [
        ['2026-11-20T00', 100, 190],
        ['2026-11-21T06', 200, 260],
        ['2026-11-22T00', 300, 300],
      ],
    );
    const stored = await h.db
      .selectFrom('account_metric_snapshots')
      .select('followers_count')
      .where('tenant_id', '=', tenant)
      .where('observed_at', '=', new Date(first.observed_at))
      .executeTakeFirstOrThrow();
    expect(stored.followers_count).toBe(100);
    await rebuildFollowerHours(h.db);
    expect(await hours()).toEqual(live);
  });
});

describe('cache invalidation', () => {
  it("bumps each written tenant's data version, so the query API drops its cached answers", async () => {
    const tenant = randomUUID();
    const redis = new Redis(stackEnv().REDIS_URL);
    try {
      expect(await getTenantDataVersion(redis, tenant)).toBe(0);
      await h.send(h.postTopic, [
        postMessage(
          postEvent({ tenant_id: tenant, platform_post_id: 'cache-1', observed_at: '2026-11-20T10:00:00Z' }),
        ),
      ]);
      await waitUntil(
        'the data version bumped',
        () => getTenantDataVersion(redis, tenant),
        (v) => v > 0,
      );
      expect(await countSnapshots(tenant)).toBe(1);
    } finally {
      redis.disconnect();
    }
  });
});
