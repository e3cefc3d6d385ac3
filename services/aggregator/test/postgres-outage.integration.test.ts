import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, migrateToLatest } from '@postpulse/db';
import { readPostLatestTotals } from '@postpulse/olap';
import { loadStackConfig, Stack } from '@postpulse/stack';
import { freePort, waitUntil } from '@postpulse/testing';
import { sql } from 'kysely';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emptyMetrics, postEvent, postMessage } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

// A private Postgres: other test files share the stack's one, and this test stops its server.
const stackDir = mkdtempSync(join(tmpdir(), 'aggregator-pg-outage-'));
// Postgres runs as its own user when we are root; it must be able to reach its data dir.
chmodSync(stackDir, 0o755);
let privatePg: Stack;
let h: Harness;

beforeAll(async () => {
  const port = await freePort();
  privatePg = new Stack(
    loadStackConfig({ STACK_DIR: stackDir, STACK_POSTGRES_PORT: String(port) }),
    () => {},
  );
  await privatePg.startComponent('postgres');
  const url = `postgres://postgres@127.0.0.1:${port}/postpulse`;
  const migrator = createDb({ url, applicationName: 'test-migrate' });
  await migrateToLatest(migrator);
  await migrator.destroy();
  h = await createHarness({ databaseUrl: url });
});
afterAll(async () => {
  await h?.close();
  await privatePg?.stopComponent('postgres');
  rmSync(stackDir, { recursive: true, force: true });
});

const metric = async (registry: Registry, name: string) =>
  (await registry.getSingleMetric(name)?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;

it('retries while Postgres is down, then resumes by itself with nothing lost or doubled', async () => {
  const { registry } = await h.startAggregator({
    AGGREGATOR_RETRY_MAX_MS: '1000',
    AGGREGATOR_MICRO_BATCH_SIZE: '200',
  });
  const tenant = randomUUID();
  const POSTS = 500;
  const ROUNDS = 20;
  const event = (p: number, k: number) =>
    postEvent({
      tenant_id: tenant,
      platform_post_id: `p-${p}`,
      observed_at: new Date(Date.UTC(2026, 10, 21, 0, 0, p) + k * 600_000).toISOString(),
      ...(k === 0 ? {} : { post: null }),
      metrics: { ...emptyMetrics, impressions: (k + 1) * 10 },
    });
  const count = async () =>
    Number(
      (
        await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM post_metric_snapshots WHERE tenant_id = ${tenant}`.execute(h.db)
      ).rows[0]?.n,
    );

  let round = 0;
  const sendRound = () =>
    h.send(
      h.postTopic,
      Array.from({ length: POSTS }, (_, p) => postMessage(event(p, round))),
    );
  for (; round < ROUNDS / 2; round++) await sendRound();
  await waitUntil('the first writes', count, (n) => n > 0);

  await privatePg.stopComponent('postgres');
  for (; round < ROUNDS; round++) await sendRound();
  await waitUntil(
    'the aggregator to hit the outage',
    () => metric(registry, 'aggregator_store_failures_total'),
    (n) => n >= 2,
  );
  const writtenDuringOutage = await metric(registry, 'aggregator_events_written_total');
  await waitUntil(
    'more failed attempts',
    () => metric(registry, 'aggregator_store_failures_total'),
    (n) => n >= 5,
  );
  // Nothing was acknowledged while Postgres was away.
  expect(await metric(registry, 'aggregator_events_written_total')).toBe(writtenDuringOutage);

  await privatePg.startComponent('postgres');
  await waitUntil('every snapshot after the outage', count, (n) => n >= POSTS * ROUNDS, {
    timeoutMs: 90_000,
  });
  expect(await count()).toBe(POSTS * ROUNDS);
  const latest = await sql<{ n: number; s: number }>`
    SELECT count(*)::int AS n, sum(impressions)::int AS s FROM post_metrics_latest WHERE tenant_id = ${tenant}`.execute(
    h.db,
  );
  expect(latest.rows[0]).toEqual({ n: POSTS, s: POSTS * ROUNDS * 10 });
  await waitUntil(
    'ClickHouse caught up',
    () => readPostLatestTotals(h.olap.client, { tenantId: tenant }),
    (rows) => rows.length === POSTS && rows.every((r) => r.impressions === ROUNDS * 10),
  );
});
