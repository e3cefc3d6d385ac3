// Ingest benchmark (issue #5): posts refreshed per platform HTTP call, and refresh throughput, against
// the simulator (its own process, limits raised so it never throttles) and the real local stack.
//   node --import tsx bench/ingest/run.ts [--tenants 25] [--posts 1000] [--replicas 1]
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { connectAccount } from '@postpulse/accounts';
import { parseConfig } from '@postpulse/config';
import type { Platform } from '@postpulse/contracts';
import { createDb, migrateToLatest } from '@postpulse/db';
import type { IngestService } from '@postpulse/ingest';
import { linkedinConfigSchema } from '@postpulse/ingest-linkedin/config';
import { startLinkedInIngest } from '@postpulse/ingest-linkedin/service';
import { metaConfigSchema } from '@postpulse/ingest-meta/config';
import { startMetaIngest } from '@postpulse/ingest-meta/service';
import { twitterConfigSchema } from '@postpulse/ingest-twitter/config';
import { startTwitterIngest } from '@postpulse/ingest-twitter/service';
import { createLogger } from '@postpulse/logging';
import { createTokenCipher, generateTokenKey, parseTokenKeys } from '@postpulse/secrets';
import { connectionEnv, loadStackConfig } from '@postpulse/stack';
import { sql } from 'kysely';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const TENANTS = arg('tenants', 25);
const POSTS = arg('posts', 1000);
const REPLICAS = arg('replicas', 1);
const DAYS = 80;
const PLATFORMS: Platform[] = ['twitter', 'linkedin', 'facebook', 'instagram'];

const stack = connectionEnv(loadStackConfig());
const logger = process.env.BENCH_DEBUG
  ? createLogger({ name: 'bench-ingest', level: 'warn' })
  : createLogger({
      name: 'bench-ingest',
      level: 'warn',
      destination: new Writable({ write: (_c, _e, d) => d() }),
    });

interface SimProcess {
  child: ChildProcessWithoutNullStreams;
  urls: Record<string, string>;
  next: () => Promise<string>;
}

function startSimProcess(): Promise<SimProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/ingest/sim-server.ts', String(TENANTS), String(POSTS), String(DAYS)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  child.stderr.pipe(process.stderr);
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiters: Array<(l: string) => void> = [];
  lines.on('line', (l) => {
    const w = waiters.shift();
    if (w) w(l);
    else queue.push(l);
  });
  const next = () =>
    new Promise<string>((resolve) =>
      queue.length > 0 ? resolve(queue.shift() ?? '') : waiters.push(resolve),
    );
  return next().then((l) => ({
    child,
    urls: (JSON.parse(l) as { urls: Record<string, string> }).urls,
    next,
  }));
}

async function simCpu(sim: { child: ChildProcessWithoutNullStreams; next: () => Promise<string> }) {
  sim.child.stdin.write('cpu\n');
  return JSON.parse(await sim.next()) as { cpu_ms: number; violations: number };
}

async function main(): Promise<void> {
  const sim = await startSimProcess();
  const truth = (await (await fetch(`${sim.urls.admin}/truth?posts=false`)).json()) as {
    accounts: Array<{ tenant_id: string; platform: Platform; account_id: string; token: string }>;
  };

  const dbName = `bench_ingest_${Date.now().toString(36)}`;
  const admin = createDb({
    url: stack.DATABASE_URL.replace(/\/postpulse$/, '/postgres'),
    applicationName: 'bench',
  });
  await sql`CREATE DATABASE ${sql.id(dbName)}`.execute(admin);
  const url = stack.DATABASE_URL.replace(/\/postpulse$/, `/${dbName}`);
  const db = createDb({ url, applicationName: 'bench' });
  await migrateToLatest(db);
  const keys = generateTokenKey('bench');
  const cipher = createTokenCipher({ keys: parseTokenKeys(keys), currentKeyId: 'bench' });
  for (const id of new Set(truth.accounts.map((a) => a.tenant_id))) {
    await db
      .insertInto('tenants')
      .values({ id, name: `bench ${id.slice(0, 8)}`, timezone: 'UTC' })
      .execute();
  }
  for (const a of truth.accounts) {
    await connectAccount(
      { db, cipher, now: () => Date.now() },
      {
        tenant_id: a.tenant_id,
        platform: a.platform,
        account_id: a.account_id,
        access_token: a.token,
      },
    );
  }

  const suffix = Date.now().toString(36);
  const big = '100000000';
  const env = {
    LOG_LEVEL: 'warn',
    PORT: '0',
    DATABASE_URL: url,
    DATABASE_POOL_SIZE: '6',
    REDIS_URL: stack.REDIS_URL ?? '',
    KAFKA_BROKERS: stack.KAFKA_BROKERS ?? '',
    TOKEN_KEYS: keys,
    TOKEN_KEY_CURRENT: 'bench',
    IDLE_POLL_MS: '20',
    ACCOUNTS_PER_TICK: '8',
    CONCURRENCY: '8',
    X_API_BASE_URL: sim.urls.x ?? '',
    LINKEDIN_API_BASE_URL: sim.urls.linkedin ?? '',
    META_API_BASE_URL: sim.urls.meta ?? '',
    X_TWEETS_LOOKUP_PER_USER: big,
    X_TWEETS_LOOKUP_PER_APP: big,
    X_USER_TWEETS_PER_USER: big,
    X_USER_TWEETS_PER_APP: big,
    X_USERS_LOOKUP_PER_USER: big,
    X_USERS_LOOKUP_PER_APP: big,
    LINKEDIN_APP_DAILY: big,
    LINKEDIN_MEMBER_DAILY: big,
    META_APP_PER_HOUR: big,
    META_PAGE_PER_DAY: big,
    META_INSTAGRAM_PER_DAY: big,
  };
  const topics = {
    postMetrics: `bench.post-metrics.${suffix}`,
    accountMetrics: `bench.account-metrics.${suffix}`,
    accountStatus: `bench.account-status.${suffix}`,
    refreshRequests: `bench.refresh-requests.${suffix}`,
  };
  const extra = { logger, topics, runWorker: false, redisKeyPrefix: `bench:${suffix}:` };
  const services: IngestService[] = [];
  for (let r = 0; r < REPLICAS; r++) {
    services.push(
      await startTwitterIngest(
        parseConfig(twitterConfigSchema, { ...env, REFRESH_GROUP_ID: `bench-x-${suffix}` }),
        extra,
      ),
      await startLinkedInIngest(
        parseConfig(linkedinConfigSchema, { ...env, REFRESH_GROUP_ID: `bench-li-${suffix}` }),
        extra,
      ),
      await startMetaIngest(
        parseConfig(metaConfigSchema, { ...env, REFRESH_GROUP_ID: `bench-meta-${suffix}` }),
        extra,
      ),
    );
  }

  // Phase 1: discovery (90-day backfill) and followers, not measured.
  const t0 = Date.now();
  for (;;) {
    const n = await Promise.all(services.map((s) => s.worker.accountsTick()));
    if (n.every((x) => x === 0)) break;
  }
  const live = await db
    .selectFrom('ingest_posts')
    .select(['platform', (eb) => eb.fn.countAll<number>().as('n')])
    .where('state', '=', 'active')
    .groupBy('platform')
    .execute();
  const livePosts = Object.fromEntries(live.map((r) => [r.platform, Number(r.n)]));
  const total = Object.values(livePosts).reduce((a, b) => a + b, 0);
  console.log(`discovered ${total} live posts in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // Phase 2: every post is due; refresh them all with the replicas' loops.
  const sent0 = new Map<string, number>();
  for (const s of services) for (const [p, c] of s.clients) sent0.set(p, (sent0.get(p) ?? 0) - c.sent);
  const cpu0 = await simCpu(sim);
  const started = Date.now();
  for (const s of services) s.worker.start();
  for (;;) {
    const r = await db
      .selectFrom('ingest_posts')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('refresh_count'), eb.lit(0)).as('n'))
      .executeTakeFirstOrThrow();
    if (Number(r.n) >= total) break;
    if (process.env.BENCH_DEBUG) {
      const by = await db
        .selectFrom('ingest_posts')
        .select(['platform', 'state', (eb) => eb.fn.sum<number>('refresh_count').as('n')])
        .groupBy(['platform', 'state'])
        .execute();
      console.log(JSON.stringify(by));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (Date.now() - started) / 1000;
  const cpu1 = await simCpu(sim);
  for (const s of services) for (const [p, c] of s.clients) sent0.set(p, (sent0.get(p) ?? 0) + c.sent);

  const rows = PLATFORMS.map((p) => {
    const posts = livePosts[p] ?? 0;
    const calls = sent0.get(p) ?? 0;
    return {
      platform: p,
      posts,
      calls,
      posts_per_call: calls > 0 ? posts / calls : 0,
      baseline_calls: posts,
    };
  });
  console.log(
    '\n| platform | posts refreshed | HTTP calls | posts per call | calls at 1 per post | fewer calls |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.platform} | ${r.posts.toLocaleString('en')} | ${r.calls} | ${r.posts_per_call.toFixed(1)} | ${r.baseline_calls.toLocaleString('en')} | ×${r.posts_per_call.toFixed(0)} |`,
    );
  }
  console.log(
    `\nrefresh of ${total.toLocaleString('en')} posts: ${seconds.toFixed(1)} s, ${(total / seconds).toFixed(0)} posts/s ` +
      `(${REPLICAS} replica(s) of each service in one process); simulator CPU ${((cpu1.cpu_ms - cpu0.cpu_ms) / 1000).toFixed(1)} s ` +
      `(${(((cpu1.cpu_ms - cpu0.cpu_ms) / 1000 / seconds) * 100).toFixed(0)} % of one core); violations ${cpu1.violations}`,
  );

  await Promise.all(services.map((s) => s.stop()));
  await db.destroy();
  await sql`DROP DATABASE IF EXISTS ${sql.id(dbName)} WITH (FORCE)`.execute(admin);
  await admin.destroy();
  sim.child.stdin.write('exit\n');
  const kafkaTopics = Object.values(topics);
  console.log(`(topics left for inspection: ${kafkaTopics.join(', ')})`);
}

await main();
