// Sustained throughput of the aggregator from cold, against the real local stack, next to a
// consume-only kafkajs loop over the same topic (the ceiling the aggregator cannot beat). Usage:
//   npx tsx bench/aggregator/run.ts [--posts 120000] [--snapshots 3] [--tenants 200] [--partitions 6]
// Add --cpu-prof to write a V8 CPU profile of the aggregator into bench/out/.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { messageKeys, type PostMetricsSnapshot, snapshotEventId } from '@postpulse/contracts';
import { createDb, migrateToLatest } from '@postpulse/db';
import { createConsumer, createKafka, createProducer, ensureTopics, type Message } from '@postpulse/kafka';
import { createLogger } from '@postpulse/logging';
import { sql as chSql, createOlap, ident, migrateOlap } from '@postpulse/olap';
import { connectionEnv, loadStackConfig, repoRoot } from '@postpulse/stack';
import { freePort } from '@postpulse/testing';
import { sql } from 'kysely';
import { cpuByProcess, cpuDelta } from '../lib/service.js';

const { values } = parseArgs({
  options: {
    posts: { type: 'string', default: '120000' },
    snapshots: { type: 'string', default: '3' },
    tenants: { type: 'string', default: '200' },
    partitions: { type: 'string', default: '6' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const POSTS = Number(values.posts);
const SNAPSHOTS = Number(values.snapshots);
const TENANTS = Number(values.tenants);
const PARTITIONS = Number(values.partitions);
const TOTAL = POSTS * SNAPSHOTS;

const stack = connectionEnv(loadStackConfig());
const logger = createLogger({ name: 'bench', level: 'error' });
const kafka = createKafka({ brokers: [stack.KAFKA_BROKERS], clientId: 'bench-aggregator', logger });
const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const topic = `bench.post-metrics.${suffix}`;
const accountTopic = `bench.account-metrics.${suffix}`;
const say = (line: string) => process.stdout.write(`${line}\n`);

const platforms = ['linkedin', 'twitter', 'facebook', 'instagram'] as const;
const words = 'growth launch team product customers scale hiring remote design data story week results'.split(
  ' ',
);
const tenantIds = Array.from(
  { length: TENANTS },
  (_, i) => `0b0b0b0b-0000-4000-8000-${String(i).padStart(12, '0')}`,
);

/** About 1 KB: a post with text and hashtags and the full metric set, as the ingest services send. */
function event(post: number, k: number): PostMetricsSnapshot {
  const tenant = tenantIds[post % TENANTS] ?? '';
  const platform = platforms[post % platforms.length] ?? 'linkedin';
  const published = Date.UTC(2026, 9, 1) + post * 20_000;
  const observed_at = new Date(published + (k + 1) * 6 * 3_600_000).toISOString();
  const text = Array.from({ length: 80 }, (_, i) => words[(post + i * 7) % words.length]).join(' ');
  const base = (post % 1000) * (k + 1);
  return {
    schema_version: 1,
    event_id: snapshotEventId({ tenant_id: tenant, platform, subject_id: `post-${post}`, observed_at }),
    tenant_id: tenant,
    platform,
    account_id: `acct-${post % (TENANTS * 3)}`,
    platform_post_id: `post-${post}`,
    observed_at,
    post: {
      published_at: new Date(published).toISOString(),
      content_type: 'text',
      content_text: `${text} #${words[post % words.length]}`,
      hashtags: [words[post % words.length] ?? 'x', 'bench'],
      platform_post_url: `https://example.com/${platform}/post-${post}`,
    },
    metrics: {
      impressions: base * 10 + 7,
      reach: base * 8,
      clicks: base,
      likes_count: base * 2,
      comments_count: Math.floor(base / 3),
      shares_count: Math.floor(base / 5),
      saves_count: platform === 'instagram' ? base : null,
      reactions_count: platform === 'facebook' ? base * 2 : null,
      retweets_count: platform === 'twitter' ? Math.floor(base / 7) : null,
      quote_tweets_count: platform === 'twitter' ? Math.floor(base / 11) : null,
      video_views: null,
      video_watch_time: null,
    },
  };
}

async function produce(): Promise<{ seconds: number; bytes: number }> {
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [topic], { partitions: PARTITIONS, replicationFactor: 1 });
  await admin.disconnect();
  const producer = createProducer(kafka);
  await producer.connect();
  const started = performance.now();
  let bytes = 0;
  let batch: Message[] = [];
  for (let k = 0; k < SNAPSHOTS; k++) {
    for (let p = 0; p < POSTS; p++) {
      const e = event(p, k);
      const value = JSON.stringify(e);
      bytes += value.length;
      batch.push({ key: messageKeys.post(e), value });
      if (batch.length === 2000) {
        await producer.send({ topic, acks: -1, messages: batch });
        batch = [];
      }
    }
  }
  if (batch.length) await producer.send({ topic, acks: -1, messages: batch });
  await producer.disconnect();
  return { seconds: (performance.now() - started) / 1000, bytes };
}

/** The same fetch settings as the aggregator's defaults, doing nothing with the messages. */
async function ceiling(): Promise<number> {
  const consumer = createConsumer(kafka, {
    groupId: `bench-ceiling-${suffix}`,
    maxBytesPerPartition: 2 * 1024 * 1024,
    maxBytes: 8 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let started = 0;
  const seconds = await new Promise<number>((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        if (started === 0) started = performance.now();
        seen += batch.messages.length;
        if (seen >= TOTAL) resolve((performance.now() - started) / 1000);
      },
    });
  });
  await consumer.disconnect();
  return TOTAL / seconds;
}

function metricValue(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').at(-1));
  return sum;
}

/** p-quantile from a prom-client histogram, linear within the bucket it falls in. */
function histogramQuantile(text: string, name: string, q: number): number {
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}_bucket\\{.*le="([^"]+)".*\\} (\\d+)`).exec(line);
    if (!m?.[1] || !m[2]) continue;
    const le = m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
  }
  const sorted = [...buckets.entries()].sort(([a], [b]) => a - b);
  const total = sorted.at(-1)?.[1] ?? 0;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of sorted) {
    if (count >= q * total) {
      if (!Number.isFinite(le)) return prevLe;
      return prevLe + ((q * total - prevCount) / Math.max(1, count - prevCount)) * (le - prevLe);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

interface AggregatorRun {
  coldSeconds: number;
  sustained: number;
  coldRate: number;
  p99: number;
  p50: number;
  peakRssMb: number;
  microBatches: number;
  cpu: Record<string, number>;
}

async function runAggregator(): Promise<AggregatorRun> {
  const dbName = `bench_${suffix}`;
  const admin = createDb({
    url: stack.DATABASE_URL.replace(/\/postpulse$/, '/postgres'),
    applicationName: 'bench',
  });
  await sql`CREATE DATABASE ${sql.id(dbName)}`.execute(admin);
  const databaseUrl = stack.DATABASE_URL.replace(/\/postpulse$/, `/${dbName}`);
  const db = createDb({ url: databaseUrl, applicationName: 'bench' });
  await migrateToLatest(db);
  await db.destroy();
  const chAdmin = createOlap({ url: stack.CLICKHOUSE_URL, database: 'default' });
  await chAdmin.command({ query: chSql`CREATE DATABASE ${ident(dbName)}`.text });
  const olap = createOlap({ url: stack.CLICKHOUSE_URL, database: dbName });
  await migrateOlap(olap);
  await olap.close();

  const port = await freePort();
  if (values['cpu-prof']) mkdirSync(`${repoRoot}/bench/out`, { recursive: true });
  const started = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${repoRoot}/bench/out`] : []),
      '--import',
      'tsx',
      `${repoRoot}/services/aggregator/src/main.ts`,
    ],
    {
      env: {
        ...process.env,
        KAFKA_BROKERS: stack.KAFKA_BROKERS,
        DATABASE_URL: databaseUrl,
        CLICKHOUSE_URL: stack.CLICKHOUSE_URL,
        CLICKHOUSE_DATABASE: dbName,
        AGGREGATOR_GROUP_ID: `bench-aggregator-${suffix}`,
        AGGREGATOR_POST_METRICS_TOPIC: topic,
        AGGREGATOR_ACCOUNT_METRICS_TOPIC: accountTopic,
        PORT: String(port),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const pid = child.pid ?? 0;
  const cpuBefore = cpuByProcess(pid, 'aggregator');
  let peakRss = 0;
  let firstAt = 0;
  let tenPct = 0;
  let ninetyPct = 0;
  let text = '';
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the aggregator exited with code ${child.exitCode}; see its log above`);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    peakRss = Math.max(peakRss, Number(hwm ?? 0) / 1024);
    text = await fetch(`http://127.0.0.1:${port}/metrics`)
      .then((r) => r.text())
      .catch(() => '');
    const consumed = metricValue(text, 'aggregator_messages_consumed_total');
    const now = performance.now();
    if (consumed > 0 && firstAt === 0) firstAt = now;
    if (consumed >= TOTAL * 0.1 && tenPct === 0) tenPct = now;
    if (consumed >= TOTAL * 0.9 && ninetyPct === 0) ninetyPct = now;
    if (consumed >= TOTAL) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const done = performance.now();
  const cpu = cpuDelta(cpuBefore, cpuByProcess(pid, 'aggregator'));
  const result: AggregatorRun = {
    coldSeconds: (done - started) / 1000,
    coldRate: TOTAL / ((done - started) / 1000),
    sustained: (TOTAL * 0.8) / ((ninetyPct - tenPct) / 1000),
    p99: histogramQuantile(text, 'aggregator_micro_batch_duration_seconds', 0.99),
    p50: histogramQuantile(text, 'aggregator_micro_batch_duration_seconds', 0.5),
    peakRssMb: peakRss,
    microBatches: metricValue(text, 'aggregator_micro_batch_size_count'),
    cpu,
  };
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));

  const check = createDb({ url: databaseUrl, applicationName: 'bench' });
  const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM post_metric_snapshots`.execute(check);
  await check.destroy();
  if (rows.rows[0]?.n !== TOTAL) throw new Error(`expected ${TOTAL} snapshots, found ${rows.rows[0]?.n}`);
  await sql`DROP DATABASE ${sql.id(dbName)} WITH (FORCE)`.execute(admin);
  await admin.destroy();
  // ClickHouse 18.16 may hold DROP DATABASE while merges finish; the figures are in by now either way.
  await chAdmin
    .command({ query: chSql`DROP DATABASE ${ident(dbName)}`.text })
    .catch((error: unknown) => say(`note: could not drop ClickHouse database ${dbName}: ${String(error)}`));
  await chAdmin.close();
  return result;
}

say(
  `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
);
say(
  `stream: ${TOTAL} events = ${POSTS} posts × ${SNAPSHOTS} snapshots, ${TENANTS} tenants, ${PARTITIONS} partitions`,
);
const produced = await produce();
say(`produced in ${produced.seconds.toFixed(1)} s, mean event ${Math.round(produced.bytes / TOTAL)} bytes`);
const ceilingRate = await ceiling();
say(`ceiling (consume-only kafkajs): ${Math.round(ceilingRate)} events/s`);
const run = await runAggregator();
say(
  `aggregator: ${Math.round(run.sustained)} events/s sustained (10%→90%), ${Math.round(run.coldRate)} events/s from cold start (${run.coldSeconds.toFixed(1)} s incl. boot and group join)`,
);
say(
  `micro-batches: ${run.microBatches}, p50 ${(run.p50 * 1000).toFixed(0)} ms, p99 ${(run.p99 * 1000).toFixed(0)} ms; peak RSS ${run.peakRssMb.toFixed(0)} MB`,
);
const cpuTotal = Object.values(run.cpu).reduce((a, b) => a + b, 0);
say(
  `CPU per 1000 events: ${Object.entries(run.cpu)
    .map(([k, v]) => `${k} ${((v / TOTAL) * 1e6).toFixed(0)} ms`)
    .join(', ')}; total ${((cpuTotal / TOTAL) * 1e6).toFixed(0)} ms → ${Math.round(
    (os.cpus().length * TOTAL) / cpuTotal,
  )} events/s if these ${os.cpus().length} cores ran nothing else`,
);
say(
  `ratio to ceiling: ${((run.sustained / ceilingRate) * 100).toFixed(0)} %; all ${TOTAL} snapshots in Postgres`,
);

const cleanup = kafka.admin();
await cleanup.connect();
await cleanup
  .deleteTopics({ topics: [topic, accountTopic, `${topic}.dlq`, `${accountTopic}.dlq`] })
  .catch(() => undefined);
await cleanup.disconnect();
