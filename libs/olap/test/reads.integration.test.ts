import { randomUUID } from 'node:crypto';
import { postMetricNames } from '@postpulse/contracts';
import { createTestOlap, type TestOlap } from '@postpulse/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  readAccountMetricsByDay,
  readBestTimes,
  readMetricsByBucket,
  readPostLatestTotals,
} from '../src/index.js';

let olap: TestOlap;
beforeAll(async () => {
  olap = await createTestOlap();
});
afterAll(() => olap.drop());

const tenant = randomUUID();
const nulls = Object.fromEntries(postMetricNames.map((m) => [m, null]));

function postRow(post: string, observed: string, impressions: number | null, likes: number) {
  const ms = Date.parse(observed);
  const text = (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', ' ');
  return {
    tenant_id: tenant,
    platform: 'linkedin',
    platform_post_id: post,
    hour: text(Math.floor(ms / 3_600_000) * 3_600_000),
    post_id: `id-${post}`,
    account_id: 'a',
    published_at: '2026-11-16 07:30:00',
    content_type: 'text',
    hashtags: [],
    text_length: 10,
    observed_at: text(ms),
    version: ms,
    ...nulls,
    impressions,
    likes_count: likes,
  };
}

beforeAll(async () => {
  // Each batch is its own insert, hence its own part: duplicates stay until a merge, as in production.
  const batches = [
    [postRow('p1', '2026-11-20T09:10:00Z', 100, 1), postRow('p2', '2026-11-20T09:20:00Z', 50, 1)],
    [postRow('p1', '2026-11-20T09:10:00Z', 100, 1)],
    [postRow('p1', '2026-11-20T09:50:00Z', 150, 2)],
    [postRow('p1', '2026-11-20T09:10:00Z', 100, 1), postRow('p2', '2026-11-21T08:00:00Z', 80, 3)],
    [postRow('p1', '2026-11-21T12:00:00Z', 400, 4)],
    // The newest observation of p2 does not report impressions: its latest must say null, not 80.
    [postRow('p2', '2026-11-22T08:00:00Z', null, 5)],
    [postRow('p2', '2026-11-22T08:00:00Z', null, 5)],
  ];
  for (const values of batches)
    await olap.client.insert({ table: 'post_metrics_hourly_v1', values, format: 'JSONEachRow' });
});

it('reads each post at its newest observation, duplicates and not-reported values included', async () => {
  const rows = await readPostLatestTotals(olap.client, { tenantId: tenant });
  expect(rows.map((r) => [r.platform_post_id, r.impressions, r.likes_count, r.observed_at])).toEqual([
    ['p1', 400, 4, '2026-11-21T12:00:00Z'],
    ['p2', null, 5, '2026-11-22T08:00:00Z'],
  ]);
  expect(await readPostLatestTotals(olap.client, { tenantId: tenant, platformPostIds: ['p2'] })).toHaveLength(
    1,
  );
  expect(await readPostLatestTotals(olap.client, { tenantId: randomUUID() })).toEqual([]);
});

it('computes per-day totals and gains from lifetime totals without double counting', async () => {
  const days = await readMetricsByBucket(olap.client, {
    tenantId: tenant,
    bucket: 'day',
    from: new Date('2026-11-21T00:00:00Z'),
    to: new Date('2026-11-23T00:00:00Z'),
  });
  // Baseline before the 21st: p1 150, p2 50. On the 21st p1 +250, p2 +30. On the 22nd p2 reports no
  // impressions: the gain is unknown (left out) and the total carries forward.
  expect(
    days.map((d) => [d.bucket, d.totals.impressions, d.gained.impressions, d.gained.likes_count]),
  ).toEqual([
    ['2026-11-21', 480, 280, 4],
    ['2026-11-22', 480, null, 2],
  ]);
  const hours = await readMetricsByBucket(olap.client, {
    tenantId: tenant,
    bucket: 'hour',
    from: new Date('2026-11-20T00:00:00Z'),
    to: new Date('2026-11-21T00:00:00Z'),
  });
  expect(hours).toEqual([
    expect.objectContaining({
      bucket: '2026-11-20T09:00:00Z',
      totals: expect.objectContaining({ impressions: 200 }),
    }),
  ]);
});

it('puts publication times in the tenant zone', async () => {
  // 2026-11-16 07:30 UTC is Monday 16:30 in Tokyo.
  const cells = await readBestTimes(olap.client, { tenantId: tenant, timeZone: 'Asia/Tokyo' });
  expect(cells).toEqual([
    { weekday: 1, hour: 16, posts: 2, impressions: 400, engagements: 9, engagement_rate: (9 / 400) * 100 },
  ]);
  await expect(readBestTimes(olap.client, { tenantId: tenant, timeZone: "UTC'; DROP" })).rejects.toThrow();
});

it('reads account counts per day in the zone, at the last observation of the day', async () => {
  const row = (hour: string, observed: string, followers: number) => ({
    tenant_id: tenant,
    platform: 'twitter',
    account_id: 'acc',
    hour,
    observed_at: observed,
    version: Date.parse(`${observed.replace(' ', 'T')}Z`),
    followers_count: followers,
    following_count: null,
    posts_count: 1,
  });
  for (const values of [
    [
      row('2026-11-20 22:00:00', '2026-11-20 22:10:00', 10),
      row('2026-11-20 23:00:00', '2026-11-20 23:10:00', 12),
    ],
    [
      row('2026-11-20 23:00:00', '2026-11-20 23:10:00', 12),
      row('2026-11-21 10:00:00', '2026-11-21 10:00:00', 15),
    ],
  ]) {
    await olap.client.insert({ table: 'account_metrics_hourly_v1', values, format: 'JSONEachRow' });
  }
  const input = {
    tenantId: tenant,
    from: new Date('2026-11-20T00:00:00Z'),
    to: new Date('2026-11-22T00:00:00Z'),
  };
  const utc = await readAccountMetricsByDay(olap.client, input);
  expect(utc.map((d) => [d.day, d.followers_count])).toEqual([
    ['2026-11-20', 12],
    ['2026-11-21', 15],
  ]);
  // In Berlin (UTC+1) 23:10 UTC is already the 21st.
  const berlin = await readAccountMetricsByDay(olap.client, { ...input, timeZone: 'Europe/Berlin' });
  expect(berlin.map((d) => [d.day, d.followers_count, d.following_count])).toEqual([
    ['2026-11-20', 10, null],
    ['2026-11-21', 15, null],
  ]);
});
