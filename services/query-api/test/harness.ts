import { Writable } from 'node:stream';
import { type Aggregator, aggregatorConfigSchema, createAggregator } from '@postpulse/aggregator';
import { parseConfig } from '@postpulse/config';
import { type AccountMetricsSnapshot, messageKeys, type PostMetricsSnapshot } from '@postpulse/contracts';
import { createDb } from '@postpulse/db';
import { createKafka, createProducer, ensureTopics, type Producer } from '@postpulse/kafka';
import { createLogger } from '@postpulse/logging';
import { createTokenCipher, generateTokenKey, parseTokenKeys } from '@postpulse/secrets';
import { createTenant } from '@postpulse/tenancy';
import {
  createTestDatabase,
  createTestOlap,
  createTestRedis,
  stackEnv,
  type TestDatabase,
  type TestOlap,
  uniqueGroupId,
  uniqueTopic,
  waitUntil,
} from '@postpulse/testing';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { createApp } from '../src/app.js';
import type { AppDeps } from '../src/context.js';

export const quietLogger = () =>
  createLogger({
    name: 'query-api-test',
    level: 'warn',
    destination: new Writable({ write: (_c, _e, d) => d() }),
  });

export interface Harness {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
  pg: TestDatabase;
  olap: TestOlap;
  redis: Redis;
  producer: Producer;
  refreshTopic: string;
  /** Creates a tenant; returns its id and a read+write key. */
  tenant(
    name: string,
    opts?: { timezone?: string; rateLimitPerMinute?: number },
  ): Promise<{ id: string; key: string }>;
  /** Produces the events and runs them through the real aggregator until both stores hold them. */
  ingest(posts: readonly PostMetricsSnapshot[], accounts?: readonly AccountMetricsSnapshot[]): Promise<void>;
  get(path: string, key: string | null, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export async function createHarness(opts: {
  now: Date;
  cacheTtlSeconds?: number;
  rateLimitPerMinute?: number;
}): Promise<Harness> {
  const pg = await createTestDatabase();
  const olap = await createTestOlap();
  const { redis } = createTestRedis();
  const stack = stackEnv();
  const logger = quietLogger();
  const kafka = createKafka({ brokers: [stack.KAFKA_BROKERS], clientId: 'query-api-test', logger });
  const postTopic = uniqueTopic('qa-post-metrics');
  const accountTopic = uniqueTopic('qa-account-metrics');
  const refreshTopic = uniqueTopic('qa-refresh');
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [postTopic, accountTopic, refreshTopic], { partitions: 3, replicationFactor: 1 });
  await admin.disconnect();
  const producer = createProducer(kafka);
  await producer.connect();

  // One connection, so a test can read the statements it prepared (pg_prepared_statements is per session).
  const genericPlanDb = createDb({
    url: pg.url,
    applicationName: 'test',
    genericPlans: true,
    maxConnections: 1,
  });
  const deps: AppDeps = {
    db: pg.db,
    genericPlanDb,
    olap: olap.client,
    redis,
    producer,
    refreshTopic,
    logger,
    tokenCipher: createTokenCipher({ keys: parseTokenKeys(generateTokenKey('t1')), currentKeyId: 't1' }),
    rateLimitPerMinute: opts.rateLimitPerMinute ?? 10_000,
    // Short, so the revocation test sees the production path (cached key) expire quickly.
    authCacheTtlMs: 1000,
    cacheTtlSeconds: opts.cacheTtlSeconds ?? 0,
    now: () => opts.now,
  };
  const app = createApp(deps);
  let aggregator: Aggregator | undefined;
  // Everything ingested so far: the stores are checked against the cumulative sets.
  const allPg = new Set<string>();
  const allCh = new Set<string>();
  let accountEvents = 0;

  async function startAggregator(): Promise<Aggregator> {
    const cfg = parseConfig(aggregatorConfigSchema, {
      KAFKA_BROKERS: stack.KAFKA_BROKERS,
      DATABASE_URL: pg.url,
      CLICKHOUSE_URL: stack.CLICKHOUSE_URL,
      CLICKHOUSE_DATABASE: olap.database,
      REDIS_URL: stack.REDIS_URL,
      AGGREGATOR_GROUP_ID: uniqueGroupId('qa-aggregator'),
      AGGREGATOR_POST_METRICS_TOPIC: postTopic,
      AGGREGATOR_ACCOUNT_METRICS_TOPIC: accountTopic,
      KAFKA_TOPIC_PARTITIONS: '3',
      PORT: '0',
      LOG_LEVEL: 'warn',
    });
    const a = createAggregator(cfg, { logger, registry: new Registry() });
    await a.start();
    await waitUntil('aggregator joined', async () => a.ready(), Boolean);
    return a;
  }

  return {
    app,
    deps,
    pg,
    olap,
    redis,
    producer,
    refreshTopic,
    async tenant(name, o = {}) {
      const { tenant, key } = await createTenant(pg.db, {
        name,
        timezone: o.timezone,
        rateLimitPerMinute: o.rateLimitPerMinute,
      });
      return { id: tenant.id, key: key.api_key };
    },
    async ingest(posts, accounts = []) {
      aggregator ??= await startAggregator();
      if (posts.length) {
        await producer.send({
          topic: postTopic,
          acks: -1,
          messages: posts.map((e) => ({ key: messageKeys.post(e), value: JSON.stringify(e) })),
        });
      }
      if (accounts.length) {
        await producer.send({
          topic: accountTopic,
          acks: -1,
          messages: accounts.map((e) => ({ key: messageKeys.account(e), value: JSON.stringify(e) })),
        });
      }
      for (const e of posts) {
        allPg.add(`${e.tenant_id}|${e.platform}|${e.platform_post_id}|${Date.parse(e.observed_at)}`);
        allCh.add(
          `${e.tenant_id}|${e.platform}|${e.platform_post_id}|${Math.floor(Date.parse(e.observed_at) / 3_600_000)}`,
        );
      }
      accountEvents += accounts.length;
      await waitUntil(
        'snapshots in Postgres and ClickHouse',
        async () => {
          const { rows } = await sql<{
            n: number;
          }>`SELECT count(*)::int AS n FROM post_metric_snapshots`.execute(pg.db);
          const ch = await olap.client.query({
            query: `SELECT count() AS n FROM (SELECT DISTINCT tenant_id, platform, platform_post_id, hour FROM post_metrics_hourly_v1)`,
            format: 'JSONEachRow',
          });
          const [c] = await ch.json<{ n: string }>();
          const acc = await sql<{
            n: number;
          }>`SELECT count(*)::int AS n FROM account_metric_snapshots`.execute(pg.db);
          return { pg: rows[0]?.n ?? 0, ch: Number(c?.n ?? 0), acc: acc.rows[0]?.n ?? 0 };
        },
        (v) => v.pg >= allPg.size && v.ch >= allCh.size && v.acc >= accountEvents,
        { timeoutMs: 90_000, intervalMs: 200 },
      );
    },
    async get(path, key, headers = {}) {
      return app.request(path, {
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      });
    },
    async close() {
      await aggregator?.stop();
      await producer.disconnect();
      redis.disconnect();
      await olap.drop();
      await genericPlanDb.destroy();
      await pg.drop();
    },
  };
}

export interface ErrorBody {
  error: { code: string; message: string; request_id: string };
}

/** The JSON of a response, typed by the caller (tests compare it with independent expectations). */
export async function bodyOf<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export const errorOf = (res: Response) => bodyOf<ErrorBody>(res);
