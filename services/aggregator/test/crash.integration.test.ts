import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PostMetricsSnapshot, snapshotEventId } from '@postpulse/contracts';
import { readMetricsByBucket, readPostLatestTotals } from '@postpulse/olap';
import { waitUntil } from '@postpulse/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emptyMetrics, postEvent, postMessage } from './fixtures.js';
import { chRows, createHarness, type Harness } from './harness.js';

const TENANTS = ['6b0c1d0e-0000-4000-8000-000000000001', '6b0c1d0e-0000-4000-8000-000000000002'];
const POSTS_PER_TENANT = 10_000;
const OBSERVATIONS = 10;
const KILLS = 6;
const BASE = Date.UTC(2026, 10, 10);

const main = new URL('../src/main.ts', import.meta.url).pathname;
const logDir = mkdtempSync(join(tmpdir(), 'aggregator-crash-'));

let h: Harness;
const children: ChildProcess[] = [];
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await h.close();
});

function spawnAggregator(n: number): ChildProcess {
  const log = openSync(join(logDir, `aggregator-${n}.log`), 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      ...h.env,
      LOG_LEVEL: 'info',
      // A killed member is only noticed when its session times out; keep that short so restarts are quick.
      AGGREGATOR_SESSION_TIMEOUT_MS: '6000',
      AGGREGATOR_HEARTBEAT_INTERVAL_MS: '1000',
      AGGREGATOR_MICRO_BATCH_SIZE: '1000',
    },
    stdio: ['ignore', log, log],
  });
  children.push(child);
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

function observation(tenant: string, post: number, k: number): PostMetricsSnapshot {
  const observed_at = new Date(BASE + k * 37 * 60_000 + post * 1000).toISOString();
  const impressions = 100 * (k + 1) + post;
  return postEvent({
    tenant_id: tenant,
    platform: post % 2 ? 'twitter' : 'facebook',
    account_id: `acct-${post % 7}`,
    platform_post_id: `p-${post}`,
    observed_at,
    post:
      k === 0
        ? {
            published_at: new Date(BASE - 3_600_000 + post * 1000).toISOString(),
            content_type: 'image',
            content_text: `post ${post} #crash`,
            hashtags: ['crash'],
            platform_post_url: null,
          }
        : null,
    metrics: { ...emptyMetrics, impressions, likes_count: k + 1 },
  });
}

const snapshotCount = async () =>
  Number(
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM post_metric_snapshots`.execute(h.db)).rows[0]?.n,
  );

it('loses and doubles nothing when the aggregator is SIGKILLed again and again mid-stream', async () => {
  const expectedRows = TENANTS.length * POSTS_PER_TENANT * OBSERVATIONS;
  // Produced in the background, round by round, so kills hit a stream that is still flowing.
  // About 8% of events are sent twice, and as many again under a fresh event id.
  const producing = (async () => {
    for (let k = 0; k < OBSERVATIONS; k++) {
      const messages = [];
      for (const tenant of TENANTS) {
        for (let p = 0; p < POSTS_PER_TENANT; p++) {
          const e = observation(tenant, p, k);
          messages.push(postMessage(e));
          if ((p + k) % 12 === 0) messages.push(postMessage(e));
          if ((p + k) % 12 === 6)
            messages.push(
              postMessage({
                ...e,
                event_id: snapshotEventId({
                  tenant_id: tenant,
                  platform: e.platform,
                  subject_id: `${e.platform_post_id}/dup`,
                  observed_at: e.observed_at,
                }),
              }),
            );
        }
      }
      await h.send(h.postTopic, messages);
    }
  })();

  let child = spawnAggregator(0);
  // Kill points: random progress thresholds, so kills land in every phase of a micro-batch.
  const thresholds = Array.from({ length: KILLS }, () => Math.floor(Math.random() * 0.8 * expectedRows)).sort(
    (a, b) => a - b,
  );
  for (const [i, threshold] of thresholds.entries()) {
    await waitUntil('progress before the next kill', snapshotCount, (n) => n >= threshold, {
      timeoutMs: 90_000,
      intervalMs: 20,
    });
    child.kill('SIGKILL');
    await exited(child);
    expect(child.signalCode).toBe('SIGKILL');
    child = spawnAggregator(i + 1);
  }
  await producing;

  await waitUntil('every observation in Postgres', snapshotCount, (n) => n >= expectedRows, {
    timeoutMs: 120_000,
    intervalMs: 250,
  });
  // A clean stop now: SIGTERM finishes or abandons the micro-batch and exits 0.
  child.kill('SIGTERM');
  await exited(child);
  expect(child.exitCode).toBe(0);

  const pg = h.db;
  expect(await snapshotCount()).toBe(expectedRows);
  let expectedLatestSum = 0;
  let expectedHistorySum = 0;
  const expectedHours = new Set<string>();
  for (const tenant of TENANTS) {
    for (let p = 0; p < POSTS_PER_TENANT; p++) {
      for (let k = 0; k < OBSERVATIONS; k++) {
        const e = observation(tenant, p, k);
        expectedHistorySum += e.metrics.impressions ?? 0;
        expectedHours.add(`${tenant}/${p}/${Math.floor(Date.parse(e.observed_at) / 3_600_000)}`);
      }
      expectedLatestSum += observation(tenant, p, OBSERVATIONS - 1).metrics.impressions ?? 0;
    }
  }
  const history = await sql<{ s: string; n: number }>`
      SELECT sum(impressions)::text AS s, count(DISTINCT event_id)::int AS n FROM post_metric_snapshots`.execute(
    pg,
  );
  expect(Number(history.rows[0]?.s)).toBe(expectedHistorySum);
  const latest = await sql<{ s: string; n: number; stale: number }>`
      SELECT sum(impressions)::text AS s, count(*)::int AS n,
        count(*) FILTER (WHERE likes_count <> ${OBSERVATIONS})::int AS stale FROM post_metrics_latest`.execute(
    pg,
  );
  expect(latest.rows[0]).toEqual({
    s: String(expectedLatestSum),
    n: TENANTS.length * POSTS_PER_TENANT,
    stale: 0,
  });
  const posts = await sql<{ n: number; described: number }>`
      SELECT count(*)::int AS n, count(published_at)::int AS described FROM posts`.execute(pg);
  expect(posts.rows[0]).toEqual({
    n: TENANTS.length * POSTS_PER_TENANT,
    described: TENANTS.length * POSTS_PER_TENANT,
  });
  // The dashboard's rollups survived the kills too: their platform rows, and their rows summed over the
  // platforms, hourly, daily and per content type, each add up to the latest totals, all posts counted.
  const rollup = await sql<{ all: boolean; s: string; n: number }>`
      SELECT platform = 'all' AS all, sum(impressions)::text AS s, sum(posts)::int AS n
      FROM post_rollup_hourly GROUP BY 1 ORDER BY 1`.execute(pg);
  const sums = { s: String(expectedLatestSum), n: TENANTS.length * POSTS_PER_TENANT };
  expect(rollup.rows).toEqual([
    { all: false, ...sums },
    { all: true, ...sums },
  ]);
  const daily = await sql<{ all: boolean; s: string; n: number }>`
      SELECT platform = 'all' AS all, sum(impressions)::text AS s, sum(posts)::int AS n
      FROM post_rollup_daily GROUP BY 1 ORDER BY 1`.execute(pg);
  expect(daily.rows).toEqual(rollup.rows);
  // So did the content rollup: each post once under its content type.
  const types = await sql<{ all: boolean; s: string; n: number }>`
      SELECT platform = 'all' AS all, sum(impressions)::text AS s, sum(posts)::int AS n
      FROM post_content_rollup_daily WHERE dimension = 'type' GROUP BY 1 ORDER BY 1`.execute(pg);
  expect(types.rows).toEqual(rollup.rows);

  // ClickHouse: the micro-batch that was in flight at the last commit may still be landing; wait for it.
  await waitUntil(
    'ClickHouse hourly rows',
    async () =>
      (await chRows<{ n: string }>(h.olap, 'SELECT count() AS n FROM post_metrics_hourly_v1 FINAL'))[0]?.n,
    (n) => Number(n) === expectedHours.size,
  );
  let chLatestSum = 0;
  for (const tenant of TENANTS) {
    const rows = await readPostLatestTotals(h.olap.client, { tenantId: tenant });
    expect(rows).toHaveLength(POSTS_PER_TENANT);
    for (const r of rows) chLatestSum += r.impressions ?? 0;
    const days = await readMetricsByBucket(h.olap.client, {
      tenantId: tenant,
      bucket: 'day',
      from: new Date(BASE - 86_400_000),
      to: new Date(BASE + 10 * 86_400_000),
    });
    const lastDay = new Map(days.map((d) => [d.platform, d.totals.impressions ?? 0]));
    const gained = days.reduce((sum, d) => sum + (d.gained.impressions ?? 0), 0);
    const fromLatest = rows.reduce((sum, r) => sum + (r.impressions ?? 0), 0);
    expect([...lastDay.values()].reduce((a, b) => a + b, 0)).toBe(fromLatest);
    expect(gained).toBe(fromLatest);
  }
  expect(chLatestSum).toBe(expectedLatestSum);
}, 240_000);
