// The composition every ingest service shares: each service's main.ts parses its config and hands
// this its platform adapters. Tests start several of these in one process as competing replicas.

import { topics as contractTopics, type Platform } from '@postpulse/contracts';
import type { Database } from '@postpulse/db';
import { createDb } from '@postpulse/db';
import { createConsumer, createKafka, createProducer, ensureTopics } from '@postpulse/kafka';
import { createLogger, type Logger } from '@postpulse/logging';
import { type Clock, RateLimiter, systemClock } from '@postpulse/ratelimit';
import { createServiceRuntime, type ServiceRuntime } from '@postpulse/runtime';
import { createTokenCipher, parseTokenKeys } from '@postpulse/secrets';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { PlatformAdapter } from './adapter.js';
import type { IngestConfig } from './config.js';
import { type HttpSettings, PlatformClient } from './http.js';
import { KafkaEventSink, type TopicNames } from './publisher.js';
import { startRefreshConsumer } from './refresh-requests.js';
import { IngestWorker } from './worker.js';

export interface AdapterDeps {
  client: (platform: Platform) => PlatformClient;
  limiter: RateLimiter;
  clock: Clock;
  db: Kysely<Database>;
  logger: Logger;
}

export interface IngestServiceOptions {
  name: string;
  config: IngestConfig;
  platforms: readonly Platform[];
  adapters: (deps: AdapterDeps) => PlatformAdapter[];
  clock?: Clock;
  logger?: Logger;
  topics?: Partial<TopicNames & { refreshRequests: string }>;
  /** Create missing topics with these settings (a no-op for topics that exist). */
  topicSettings?: { partitions: number; replicationFactor: number };
  /** Start the scheduling loop (tests may drive `worker.tick()` themselves). */
  runWorker?: boolean;
  redisKeyPrefix?: string;
  fetch?: typeof fetch;
}

/** What a platform's service entry point lets its caller (main, the demo, tests) set. */
export type IngestServiceExtras = Pick<
  IngestServiceOptions,
  'clock' | 'logger' | 'topics' | 'runWorker' | 'redisKeyPrefix' | 'fetch'
>;

export interface IngestService {
  worker: IngestWorker;
  runtime: ServiceRuntime;
  limiter: RateLimiter;
  clients: Map<Platform, PlatformClient>;
  port: number;
  stop(): Promise<void>;
}

export async function startIngestService(opts: IngestServiceOptions): Promise<IngestService> {
  const cfg = opts.config;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ name: opts.name, level: cfg.LOG_LEVEL });
  const runtime = createServiceRuntime({ name: opts.name, logger });
  const cipher = createTokenCipher({
    keys: parseTokenKeys(cfg.TOKEN_KEYS),
    currentKeyId: cfg.TOKEN_KEY_CURRENT,
  });
  const db = createDb({
    url: cfg.DATABASE_URL,
    maxConnections: cfg.DATABASE_POOL_SIZE,
    applicationName: opts.name,
  });
  const redis = new Redis(cfg.REDIS_URL, {
    maxRetriesPerRequest: 3,
    ...(opts.redisKeyPrefix ? { keyPrefix: opts.redisKeyPrefix } : {}),
  });
  const limiter = new RateLimiter(redis, clock);
  const names = {
    postMetrics: opts.topics?.postMetrics ?? contractTopics.postMetrics,
    accountMetrics: opts.topics?.accountMetrics ?? contractTopics.accountMetrics,
    accountStatus: opts.topics?.accountStatus ?? contractTopics.accountStatus,
    refreshRequests: opts.topics?.refreshRequests ?? contractTopics.refreshRequests,
  };

  const kafka = createKafka({ brokers: cfg.KAFKA_BROKERS, clientId: cfg.KAFKA_CLIENT_ID, logger });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const settings = opts.topicSettings ?? { partitions: 6, replicationFactor: 1 };
    const all = Object.values(names);
    await ensureTopics(admin, [...all, `${names.refreshRequests}.dlq`], settings);
  } finally {
    await admin.disconnect();
  }
  const producer = createProducer(kafka);
  await producer.connect();

  const http: HttpSettings = {
    timeoutMs: cfg.HTTP_TIMEOUT_MS,
    retries: cfg.HTTP_RETRIES,
    backoffBaseMs: cfg.HTTP_BACKOFF_BASE_MS,
    backoffMaxMs: Math.max(cfg.HTTP_BACKOFF_BASE_MS, 5_000),
    breaker: {
      resetTimeoutMs: cfg.BREAKER_RESET_MS,
      errorThresholdPercentage: cfg.BREAKER_ERROR_PERCENT,
      volumeThreshold: cfg.BREAKER_VOLUME,
      rollingCountTimeoutMs: Math.max(10_000, cfg.BREAKER_RESET_MS),
    },
  };
  const clients = new Map<Platform, PlatformClient>();
  const client = (platform: Platform) => {
    let c = clients.get(platform);
    if (!c) {
      const deps = {
        logger,
        registry: runtime.registry,
        clock,
        limiter,
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
      };
      c = new PlatformClient(platform, deps, http);
      clients.set(platform, c);
    }
    return c;
  };
  const adapters = opts.adapters({ client, limiter, clock, db, logger });

  const worker = new IngestWorker({
    db,
    accounts: { db, cipher, now: () => clock.now() },
    sink: new KafkaEventSink(producer, logger, names),
    clock,
    logger,
    registry: runtime.registry,
    adapters,
    settings: {
      ladder: cfg.REFRESH_LADDER,
      leaseMs: cfg.LEASE_MS,
      fillAheadMs: cfg.FILL_AHEAD_MS,
      discoveryIntervalMs: cfg.DISCOVERY_INTERVAL_MS,
      accountRefreshIntervalMs: cfg.ACCOUNT_REFRESH_INTERVAL_MS,
      discoveryOverlapMs: 3_600_000,
      errorBackoffMs: cfg.ERROR_BACKOFF_MS,
      rateLimitBackoffMs: 15 * 60_000,
      accountsPerTick: cfg.ACCOUNTS_PER_TICK,
      batchesPerAccount: cfg.BATCHES_PER_ACCOUNT,
      concurrency: cfg.CONCURRENCY,
      idlePollMs: cfg.IDLE_POLL_MS,
    },
  });

  const consumer = createConsumer(kafka, { groupId: cfg.REFRESH_GROUP_ID });
  await consumer.connect();
  await startRefreshConsumer({
    consumer,
    producer,
    db,
    clock,
    logger,
    platforms: opts.platforms,
    topic: names.refreshRequests,
    onRefresh: () => worker.nudge(),
  });

  runtime.addReadinessCheck('postgres', async () => {
    await db.selectFrom('platform_accounts').select('id').limit(1).execute();
    return true;
  });
  runtime.addReadinessCheck('redis', async () => (await redis.ping()) === 'PONG');
  runtime.onShutdown({ name: 'refresh consumer', run: () => consumer.disconnect() });
  runtime.onShutdown({ name: 'ingest worker', run: () => worker.stop() });
  runtime.onShutdown({ name: 'kafka producer', run: () => producer.disconnect() });
  runtime.onShutdown({
    name: 'breakers',
    run: () => {
      for (const c of clients.values()) c.shutdown();
    },
  });
  runtime.onShutdown({ name: 'redis', run: async () => void (await redis.quit()) });
  runtime.onShutdown({ name: 'postgres', run: () => db.destroy() });

  const { port } = await runtime.listen(cfg.PORT);
  if (opts.runWorker !== false) worker.start();
  logger.info({ platforms: opts.platforms, owner: worker.owner }, 'ingest service started');
  return { worker, runtime, limiter, clients, port, stop: () => runtime.shutdown('stop') };
}
