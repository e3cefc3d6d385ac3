// Latency of every query-api endpoint against the real local stack, uncached and cached, with autocannon.
//   npx tsx bench/query-api/run.ts [--posts 100000] [--hours 100] [--duration 10] [--connections 32] [--warmup 15]
//     [--reseed] [--seed-only] [--only NAME-PART] [--record (append the table to bench/RESULTS.md)]
// The data (one tenant, --posts posts over a year, --hours hourly snapshots each in ClickHouse) is built once
// by seed.ts into databases of its own and reused by later runs until --reseed.
// Each endpoint: one client for half the duration (a fresh server), then --warmup seconds of unmeasured load at
// full concurrency before the measured uncached run, because a server's first seconds under load are slower
// (V8 optimising on the second core; a 30-day overview went 280 → 350 → 380 → 400 req/s in 5-second windows
// from its start), and CACHED_WARMUP seconds before the cached run. All cached cells run first, then all
// uncached ones, each set on its own server. The machine's speed is probed before and after.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createDb, migrateToLatest } from '@postpulse/db';
import { createOlap } from '@postpulse/olap';
import { connectionEnv, loadStackConfig, repoRoot } from '@postpulse/stack';
import { createApiKey } from '@postpulse/tenancy';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { cpuProbe } from '../lib/cpu-probe.js';
import { cpuByProcess, cpuDelta, startService } from '../lib/service.js';
import { seed, seedAccountSnapshots } from './seed.js';

const { values } = parseArgs({
  options: {
    posts: { type: 'string', default: '100000' },
    hours: { type: 'string', default: '100' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '15' },
    reseed: { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
    'seed-only': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const POSTS = Number(values.posts);
const HOURS = Number(values.hours);
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const WARMUP = Number(values.warmup);
/** Unmeasured load before each cached run: a cache hit settles sooner than a computed answer. */
const CACHED_WARMUP = 5;
const say = (line: string) => process.stdout.write(`${line}\n`);

const stack = connectionEnv(loadStackConfig());
const PG_DB = 'postpulse_bench_query_api';
const CH_DB = 'postpulse_bench_query_api';
const pgUrl = stack.DATABASE_URL.replace(/\/postpulse$/, `/${PG_DB}`);
interface State {
  tenantId: string;
  apiKey: string;
}

/** The seeded tenant if the bench databases hold exactly this size of data, else undefined. */
async function existing(): Promise<State | undefined> {
  const admin = createDb({
    url: stack.DATABASE_URL.replace(/\/postpulse$/, '/postgres'),
    applicationName: 'bench',
  });
  const { rows } = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM pg_database WHERE datname = ${PG_DB}`.execute(admin);
  await admin.destroy();
  if (rows[0]?.n !== 1) return undefined;
  const db = createDb({ url: pgUrl, applicationName: 'bench' });
  const olap = createOlap({ url: stack.CLICKHOUSE_URL, database: CH_DB });
  try {
    const tenant = await db
      .selectFrom('tenants')
      .select('id')
      .where('name', '=', 'Bench tenant')
      .executeTakeFirst();
    if (!tenant) return undefined;
    const posts = await db
      .selectFrom('posts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    const ch = await (
      await olap.query({ query: 'SELECT count() AS n FROM post_metrics_hourly_v1', format: 'JSONEachRow' })
    ).json<{ n: string }>();
    if (Number(posts?.n) !== POSTS || Number(ch[0]?.n) !== POSTS * HOURS) return undefined;
    // Data seeded by an older schema gets the newer migrations (and the rollups they rebuild) now.
    await migrateToLatest(db);
    // Data seeded before the accounts' follower history was part of it gets that history now.
    await seedAccountSnapshots(db, tenant.id, new Date());
    // Keys are stored hashed, so each run makes a key of its own.
    const key = await createApiKey(db, { tenantId: tenant.id, scopes: ['read'], name: 'bench' });
    return { tenantId: tenant.id, apiKey: key.api_key };
  } catch {
    return undefined;
  } finally {
    await db.destroy();
    await olap.close();
  }
}

async function data(): Promise<State> {
  const found = values.reseed ? undefined : await existing();
  if (found) return found;
  say(`seeding ${POSTS} posts × ${HOURS} hourly snapshots …`);
  return seed({
    pgAdminUrl: stack.DATABASE_URL.replace(/\/postpulse$/, '/postgres'),
    pgUrl,
    pgDatabase: PG_DB,
    clickhouseUrl: stack.CLICKHOUSE_URL,
    chDatabase: CH_DB,
    posts: POSTS,
    hours: HOURS,
    now: new Date(),
    log: say,
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN);

interface Run {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  errors: number;
}

function load(
  url: string,
  headers: Record<string, string>,
  connections: number,
  duration: number,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const instance = autocannon({ url, connections, duration, headers }, (err, result) => {
      if (err) return reject(err);
      times.sort((a, b) => a - b);
      resolve({
        rps: result.requests.average,
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        p99: percentile(times, 99),
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
      });
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
}

const state = await data();
if (values['seed-only']) process.exit(0);
const env = {
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  DATABASE_URL: pgUrl,
  CLICKHOUSE_URL: stack.CLICKHOUSE_URL,
  CLICKHOUSE_DATABASE: CH_DB,
  REDIS_URL: stack.REDIS_URL ?? 'redis://127.0.0.1:16379',
  KAFKA_BROKERS: stack.KAFKA_BROKERS,
  RATE_LIMIT_PER_MINUTE: '1000000000',
};
// Each server in its own process, as deployed (access logs written, to /dev/null); autocannon runs here.
// QUERY_BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=bench/out") is passed to the servers.
const nodeArgs = process.env.QUERY_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];

const endpoints: [string, string][] = [
  ['overview (30 days)', '/api/v1/analytics/overview'],
  ['overview (365 days)', '/api/v1/analytics/overview?start_date=DATE365&end_date=TODAY'],
  ['trends published daily', '/api/v1/analytics/trends'],
  ['trends activity daily', '/api/v1/analytics/trends?basis=activity&metric=likes_count'],
  ['platform-comparison', '/api/v1/analytics/platform-comparison'],
  ['best-times (90 days)', '/api/v1/analytics/best-times'],
  ['top-posts (50)', '/api/v1/analytics/top-posts?limit=50'],
  ['content', '/api/v1/analytics/content'],
  ['posts/{id} (100 h history)', '/api/v1/analytics/posts/linkedin:bp-50000'],
  ['posts list (page of 20)', '/api/v1/posts'],
];
const today = new Date().toISOString().slice(0, 10);
const yearAgo = new Date(Date.now() - 364 * 86_400_000).toISOString().slice(0, 10);
const headers = { authorization: `Bearer ${state.apiKey}` };

const probeBefore = cpuProbe();
say(`cpu probe: ${probeBefore} ms (lower is faster)`);
const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const selected = endpoints
  .filter(([n]) => !values.only || n.includes(values.only))
  .map(([name, p]) => [name, p.replace('DATE365', yearAgo).replace('TODAY', today)] as const);
type Result = Awaited<ReturnType<typeof load>>;

// The cached cells first, on a server of their own: after sustained full load of both cores this machine
// answers slower for a while, whatever ran (bench/RESULTS.md, fifteenth stop), and a cache hit's few
// milliseconds show it most. Only one server runs at a time.
const warmCells = new Map<string, Result>();
const cached = await startService('query-api', { ...env, CACHE_TTL_SECONDS: '300' }, { nodeArgs });
try {
  for (const [i, [name, path]] of selected.entries()) {
    await fetch(`${cached.url}${path}`, { headers }); // fill the cache
    // Steady state, not measured; the fresh server's first cell gets the uncached cells' longer warm-up.
    await load(`${cached.url}${path}`, headers, CONNECTIONS, i === 0 ? WARMUP : CACHED_WARMUP);
    const warm = await load(`${cached.url}${path}`, headers, CONNECTIONS, DURATION);
    warmCells.set(name, warm);
    say(
      `cached ${name}: ${fmt(warm.rps)} req/s, p50 / p95 / p99 ${fmt(warm.p50)} / ${fmt(warm.p95)} / ${fmt(warm.p99)} ms`,
    );
  }
} finally {
  await cached.stop();
}

const rows: string[] = [];
const uncached = await startService('query-api', { ...env, CACHE_TTL_SECONDS: '0' }, { nodeArgs });
const uncachedPid = uncached.child.pid ?? 0;
try {
  for (const [name, path] of selected) {
    const single = await load(`${uncached.url}${path}`, headers, 1, Math.max(3, Math.floor(DURATION / 2)));
    // Steady state, as for the cached column: the pool opens its other connections (each prepares the
    // statement once) and V8 settles under the concurrent load first, not measured.
    await load(`${uncached.url}${path}`, headers, CONNECTIONS, WARMUP);
    const cpuBefore = cpuByProcess(uncachedPid, 'query-api');
    const cold = await load(`${uncached.url}${path}`, headers, CONNECTIONS, DURATION);
    const cpu = cpuDelta(cpuBefore, cpuByProcess(uncachedPid, 'query-api'));
    const perReq = (c: string) => (((cpu[c] ?? 0) * 1000) / Math.max(1, cold.rps * DURATION)).toFixed(1);
    const warm = warmCells.get(name) as Result;
    const bad = single.non2xx + cold.non2xx + warm.non2xx + single.errors + cold.errors + warm.errors;
    const row = `| ${name} | ${fmt(single.p50)} / ${fmt(single.p95)} / ${fmt(single.p99)} | ${fmt(cold.rps)} | ${fmt(cold.p50)} / ${fmt(cold.p95)} / ${fmt(cold.p99)} | ${perReq('query-api')} / ${perReq('postgres')} / ${perReq('clickhouse')} / ${perReq('redis')} | ${fmt(warm.rps)} | ${fmt(warm.p50)} / ${fmt(warm.p95)} / ${fmt(warm.p99)} |${bad ? ` ${bad} non-2xx/errors |` : ''}`;
    say(row);
    rows.push(row);
  }
} finally {
  await uncached.stop();
}

const probeAfter = cpuProbe();
say(`cpu probe: ${probeAfter} ms`);
const table = [
  `| endpoint | uncached, 1 conn: p50 / p95 / p99 ms | uncached, ${CONNECTIONS} conns: req/s | p50 / p95 / p99 ms | uncached CPU ms/req: api / pg / ch / redis | cached, ${CONNECTIONS} conns: req/s | p50 / p95 / p99 ms |`,
  '|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
say(`\n${table}`);
if (values.record) {
  const section = `\n## query-api latency (${new Date().toISOString().slice(0, 10)})\n\nCommand: \`npx tsx bench/query-api/run.ts --posts ${POSTS} --hours ${HOURS} --duration ${DURATION} --connections ${CONNECTIONS}\`
on ${os.cpus().length} vCPU ${os.cpus()[0]?.model ?? ''}. Data: one tenant, ${POSTS} posts published evenly over a year, ${HOURS} hourly
snapshots each (${POSTS * HOURS} rows in post_metrics_hourly_v1), latest totals in Postgres; default range = last 30 days
(≈${Math.round((POSTS / 365) * 30)} posts). autocannon for ${DURATION} s per cell, after ${WARMUP} s (uncached, and the first cached cell) and ${CACHED_WARMUP} s (other cached cells) of unmeasured
load, the cached cells first on a server of their own, then the uncached ones; the 1-connection column is one client at a time. CPU probe (bench/lib/cpu-probe.ts, lower is faster):
${probeBefore} ms before, ${probeAfter} ms after.\n\n${table}\n`;
  writeFileSync(
    `${repoRoot}/bench/RESULTS.md`,
    readFileSync(`${repoRoot}/bench/RESULTS.md`, 'utf8') + section,
  );
  say('appended to bench/RESULTS.md');
}
process.exit(0);
