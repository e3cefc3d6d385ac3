// Test rig for the ingest services: the simulator in-process on a frozen clock, a fresh database
// with the simulator's tenants and accounts connected, unique topics and a Kafka collector, and a
// driver that moves time only when every replica has finished what is due.
import { Writable } from 'node:stream';
import { type AccountsDeps, connectAccount } from '@postpulse/accounts';
import type {
  AccountMetricsSnapshot,
  AccountStatus,
  Platform,
  PostMetricsSnapshot,
} from '@postpulse/contracts';
import { createConsumer, createKafka, ensureTopics } from '@postpulse/kafka';
import { createLogger, type Logger } from '@postpulse/logging';
import {
  type RunningSim,
  SimClock,
  type SimOptions,
  startSim,
  type TruthAccount,
} from '@postpulse/platform-sim';
import { type Clock, manualClock } from '@postpulse/ratelimit';
import { createTokenCipher, generateTokenKey, parseTokenKeys } from '@postpulse/secrets';
import {
  createTestDatabase,
  stackEnv,
  type TestDatabase,
  uniqueGroupId,
  uniqueSuffix,
  uniqueTopic,
  waitUntil,
} from '@postpulse/testing';
import type { IngestService } from '../src/service.js';
import { pendingWork } from '../src/store.js';

export interface Collected {
  posts: PostMetricsSnapshot[];
  accounts: AccountMetricsSnapshot[];
  status: AccountStatus[];
}

export interface Rig {
  sim: RunningSim;
  simClock: SimClock;
  clock: Clock;
  database: TestDatabase;
  accountsDeps: AccountsDeps;
  topics: { postMetrics: string; accountMetrics: string; accountStatus: string; refreshRequests: string };
  /** Base environment for a service's config schema. */
  env: Record<string, string>;
  redisKeyPrefix: string;
  collected: Collected;
  logLines: string[];
  logger: Logger;
  truthAccounts(platform: Platform): TruthAccount[];
  connect(platforms: readonly Platform[]): Promise<Map<string, string>>;
  /** Waits until nothing is due for these platforms (replicas idle), then moves time by stepMs. */
  drive(
    services: readonly IngestService[],
    platforms: readonly Platform[],
    untilMs: number,
    stepMs: number,
  ): Promise<void>;
  settle(services: readonly IngestService[], platforms: readonly Platform[]): Promise<void>;
  /** Waits until the collector has seen every post snapshot the workers counted as published. */
  drained(): Promise<void>;
  close(services: readonly IngestService[]): Promise<void>;
}

export async function createRig(simOptions: SimOptions & { start: number }): Promise<Rig> {
  const simClock = new SimClock(simOptions.start);
  const sim = await startSim({ ...simOptions, clock: simClock, port: 0 });
  const clock = manualClock(simClock);
  const database = await createTestDatabase();
  const keys = `${generateTokenKey('k1')},${generateTokenKey('k2')}`;
  const cipher = createTokenCipher({ keys: parseTokenKeys(keys), currentKeyId: 'k2' });
  const accountsDeps: AccountsDeps = { db: database.db, cipher, now: () => simClock.now() };
  const logLines: string[] = [];
  const logger = createLogger({
    name: 'ingest-test',
    level: 'info',
    destination: new Writable({
      write(chunk, _e, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  });
  const topics = {
    postMetrics: uniqueTopic('post-metrics'),
    accountMetrics: uniqueTopic('account-metrics'),
    accountStatus: uniqueTopic('account-status'),
    refreshRequests: uniqueTopic('refresh-requests'),
  };
  const stack = stackEnv();
  const kafka = createKafka({ brokers: [stack.KAFKA_BROKERS], clientId: 'ingest-test', logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [...Object.values(topics), `${topics.refreshRequests}.dlq`], {
    partitions: 3,
    replicationFactor: 1,
  });
  await admin.disconnect();

  const collected: Collected = { posts: [], accounts: [], status: [] };
  const consumer = createConsumer(kafka, { groupId: uniqueGroupId('ingest-collector') });
  await consumer.connect();
  await consumer.subscribe({
    topics: [topics.postMetrics, topics.accountMetrics, topics.accountStatus],
    fromBeginning: true,
  });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const value = JSON.parse(message.value?.toString('utf8') ?? 'null');
      if (topic === topics.postMetrics) collected.posts.push(value);
      else if (topic === topics.accountMetrics) collected.accounts.push(value);
      else collected.status.push(value);
    },
  });

  // The simulator's tenants become ours, with the same ids.
  const truth = sim.sim.truth({ posts: false });
  for (const id of new Set(truth.accounts.map((a) => a.tenant_id))) {
    await database.db
      .insertInto('tenants')
      .values({ id, name: `sim ${id.slice(0, 8)}`, timezone: 'UTC' })
      .execute();
  }
  const redisKeyPrefix = `test:${uniqueSuffix()}:`;
  const env: Record<string, string> = {
    LOG_LEVEL: 'info',
    PORT: '0',
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: stack.REDIS_URL,
    KAFKA_BROKERS: stack.KAFKA_BROKERS,
    REFRESH_GROUP_ID: uniqueGroupId('ingest-refresh'),
    TOKEN_KEYS: keys,
    TOKEN_KEY_CURRENT: 'k2',
    IDLE_POLL_MS: '25',
    HTTP_TIMEOUT_MS: '2000',
    HTTP_BACKOFF_BASE_MS: '5',
    BREAKER_RESET_MS: '300',
    ACCOUNTS_PER_TICK: '4',
    X_API_BASE_URL: sim.urls.x,
    LINKEDIN_API_BASE_URL: sim.urls.linkedin,
    META_API_BASE_URL: sim.urls.meta,
  };

  const pendingAll = async (platforms: readonly Platform[]) => {
    const p = await pendingWork(database.db, platforms, simClock.now());
    return p.posts + p.accounts;
  };

  const rig: Rig = {
    sim,
    simClock,
    clock,
    database,
    accountsDeps,
    topics,
    env,
    redisKeyPrefix,
    collected,
    logLines,
    logger,
    truthAccounts: (platform) => truth.accounts.filter((a) => a.platform === platform),
    async connect(platforms) {
      const ids = new Map<string, string>();
      for (const a of truth.accounts.filter((x) => platforms.includes(x.platform))) {
        const view = await connectAccount(accountsDeps, {
          tenant_id: a.tenant_id,
          platform: a.platform,
          account_id: a.account_id,
          access_token: a.token,
          display_name: a.name,
        });
        ids.set(`${a.platform}:${a.account_id}`, view.id);
      }
      return ids;
    },
    async settle(services, platforms) {
      for (const s of services) s.worker.nudge();
      await waitUntil(
        'replicas idle',
        () => pendingAll(platforms),
        (n) => n === 0,
        { timeoutMs: 60_000, intervalMs: 10 },
      );
    },
    async drive(services, platforms, untilMs, stepMs) {
      while (simClock.now() < untilMs) {
        await rig.settle(services, platforms);
        simClock.advance(stepMs);
      }
      await rig.settle(services, platforms);
    },
    async drained() {
      const expected = async () => {
        const r = await database.db
          .selectFrom('ingest_posts')
          .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('refresh_count'), eb.lit(0)).as('n'))
          .executeTakeFirstOrThrow();
        return Number(r.n);
      };
      const want = await expected();
      await waitUntil(
        'collector caught up',
        async () => collected.posts.length,
        (n) => n >= want,
        { timeoutMs: 60_000 },
      );
    },
    async close(services) {
      await Promise.all(services.map((s) => s.stop()));
      await consumer.disconnect();
      await sim.close();
      await database.drop();
    },
  };
  return rig;
}

import type { PostMetrics } from '@postpulse/contracts';
import type { MetricsAt } from '@postpulse/platform-sim';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export interface ReplicaSuite {
  name: string;
  platforms: readonly Platform[];
  start(rig: Rig): Promise<IngestService>;
  /** What the snapshot must say, per the documented mapping, given the simulator's exact metrics. */
  expected(
    platform: Platform,
    m: MetricsAt,
    post: { contentType: string; publishedAt: number },
    at: number,
  ): PostMetrics;
  /** Posts the service can see (Instagram stories are not in /media). */
  visible?(post: { productType: string }): boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Three replicas, three compressed days: schedule, truth, limits, leases and token secrecy. */
export function replicaSuite(suite: ReplicaSuite): void {
  const start = Date.UTC(2026, 10, 20, 0, 0, 0);
  const end = start + 3 * DAY;
  let rig: Rig;
  let replicas: IngestService[] = [];

  beforeAll(async () => {
    rig = await createRig({
      start,
      seed: 11,
      tenants: 3,
      accountsPerPlatform: 1,
      postsPerAccount: 40,
      days: 100,
      anchor: start + 2 * DAY,
    });
    await rig.connect(suite.platforms);
    replicas = await Promise.all([0, 1, 2].map(() => suite.start(rig)));
    await rig.drive(replicas, suite.platforms, end, HOUR);
    await rig.drained();
  }, 300_000);

  afterAll(() => rig?.close(replicas));

  describe(`${suite.name}: 3 replicas, 3 days on a compressed clock`, () => {
    it('never sends a call the platform would refuse', () => {
      expect(rig.sim.sim.violations.report()).toMatchObject({ total: 0 });
    });

    it('refreshes every live post, and the published metrics equal the simulator at observed_at', () => {
      const world = rig.sim.sim.world;
      for (const platform of suite.platforms) {
        const live = rig
          .truthAccounts(platform)
          .flatMap((a) => {
            const acc = world.account(platform, a.account_id);
            return acc ? world.posts(acc) : [];
          })
          .filter(
            (p) =>
              p.publishedAt <= end - HOUR && end - p.publishedAt < 90 * DAY && (suite.visible?.(p) ?? true),
          );
        expect(live.length).toBeGreaterThan(50);
        const seen = new Set(
          rig.collected.posts.filter((e) => e.platform === platform).map((e) => e.platform_post_id),
        );
        expect(live.filter((p) => !seen.has(p.id)).map((p) => p.id)).toEqual([]);
      }
      expect(rig.collected.posts.length).toBeGreaterThan(0);
      for (const e of rig.collected.posts) {
        const at = Date.parse(e.observed_at);
        const truth = rig.sim.sim.metricsAt(e.platform, e.platform_post_id, at);
        const post = world.post(e.platform, e.platform_post_id);
        if (!truth || !post) throw new Error(`unknown post ${e.platform_post_id}`);
        expect({ id: e.platform_post_id, metrics: e.metrics }).toEqual({
          id: e.platform_post_id,
          metrics: suite.expected(e.platform, truth.metrics, post, at),
        });
        expect(e.post?.published_at).toBe(new Date(post.publishedAt).toISOString());
      }
    });

    it('follows the age ladder, and no post is fetched twice at once', () => {
      const ids = rig.collected.posts.map((e) => e.event_id);
      expect(new Set(ids).size).toBe(ids.length);
      const byPost = new Map<string, number[]>();
      for (const e of rig.collected.posts) {
        const key = `${e.platform}:${e.platform_post_id}`;
        const list = byPost.get(key) ?? [];
        list.push(Date.parse(e.observed_at));
        byPost.set(key, list);
      }
      const world = rig.sim.sim.world;
      let young = 0;
      for (const [key, times] of byPost) {
        const [platform, ...rest] = key.split(':');
        const post = world.post(platform as Platform, rest.join(':'));
        if (!post) throw new Error(key);
        times.sort((a, b) => a - b);
        expect((times[0] ?? 0) - Math.max(start, post.publishedAt)).toBeLessThanOrEqual(HOUR);
        for (let i = 1; i < times.length; i++) {
          const prev = times[i - 1] ?? 0;
          const age = prev - post.publishedAt;
          const every = age < DAY ? HOUR : age < 7 * DAY ? 6 * HOUR : age < 30 * DAY ? DAY : 7 * DAY;
          expect(times[i] ?? 0).toBeLessThanOrEqual(prev + every + HOUR);
        }
        if (post.publishedAt > start && end - post.publishedAt > DAY + 2 * HOUR) {
          young++;
          expect(times.filter((t) => t - post.publishedAt < DAY).length).toBeGreaterThanOrEqual(22);
        }
      }
      expect(young).toBeGreaterThan(0);
    });

    it('publishes followers daily, equal to the simulator', () => {
      const world = rig.sim.sim.world;
      expect(rig.collected.accounts.length).toBeGreaterThanOrEqual(3 * 3 * suite.platforms.length);
      for (const e of rig.collected.accounts) {
        const acc = world.account(e.platform, e.account_id);
        if (!acc) throw new Error(e.account_id);
        expect(e.metrics.followers_count).toBe(world.followersAt(acc, Date.parse(e.observed_at)));
      }
    });

    it('keeps tokens encrypted: never in Postgres, logs or events in clear', async () => {
      const tokens = suite.platforms.flatMap((p) => rig.truthAccounts(p).map((a) => a.token));
      const dump = await sql<{
        t: string;
      }>`SELECT string_agg(platform_accounts::text, '\n') AS t FROM platform_accounts`.execute(
        rig.database.db,
      );
      const text = [dump.rows[0]?.t ?? '', rig.logLines.join(''), JSON.stringify(rig.collected)].join('\n');
      expect(text).toContain('v1:k2:');
      for (const t of tokens) expect(text).not.toContain(t);
    });
  });
}
