import { trackTenantVersions } from '@postpulse/cache';
import { createDb } from '@postpulse/db';
import { createKafka, createProducer } from '@postpulse/kafka';
import { createLogger, type Logger } from '@postpulse/logging';
import { createOlap } from '@postpulse/olap';
import { createServiceRuntime } from '@postpulse/runtime';
import { createTokenCipher, parseTokenKeys } from '@postpulse/secrets';
import { Redis } from 'ioredis';
import { createApp } from './app.js';
import type { QueryApiConfig } from './config.js';

export interface RunningQueryApi {
  url: string;
  close(): Promise<void>;
}

/**
 * Builds every dependency once, serves the API (and /healthz, /readyz, /metrics) and returns its URL and an
 * ordered close. Used by main.ts and by the demo, which runs it in-process.
 */
export async function startQueryApi(
  config: QueryApiConfig,
  opts: { logger?: Logger } = {},
): Promise<RunningQueryApi & { handleSignals(): void }> {
  const logger = opts.logger ?? createLogger({ name: 'query-api', level: config.LOG_LEVEL });
  const runtime = createServiceRuntime({ name: 'query-api', logger });
  const db = createDb({
    url: config.DATABASE_URL,
    applicationName: 'query-api',
    maxConnections: config.DATABASE_MAX_CONNECTIONS,
  });
  const genericPlanDb = createDb({
    url: config.DATABASE_URL,
    applicationName: 'query-api',
    maxConnections: config.DATABASE_MAX_CONNECTIONS,
    genericPlans: true,
  });
  const olap = createOlap({ url: config.CLICKHOUSE_URL, database: config.CLICKHOUSE_DATABASE });
  // Auto-pipelining sends the commands of concurrent requests (rate limit, cache lookup) in shared writes.
  const redis = new Redis(config.REDIS_URL, {
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    enableAutoPipelining: true,
  });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'query-api', logger });
  const producer = createProducer(kafka);
  await producer.connect();
  const tokenCipher =
    config.TOKEN_KEYS && config.TOKEN_KEY_CURRENT
      ? createTokenCipher({ keys: parseTokenKeys(config.TOKEN_KEYS), currentKeyId: config.TOKEN_KEY_CURRENT })
      : undefined;
  const versions =
    config.CACHE_TTL_SECONDS > 0 && config.CACHE_LOCAL_MAX_MB > 0
      ? trackTenantVersions(redis, {
          onDown: (err) => logger.warn({ err }, 'cache invalidations interrupted: answers come from Redis'),
        })
      : undefined;

  const app = createApp({
    db,
    genericPlanDb,
    olap,
    redis,
    producer,
    logger,
    tokenCipher,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    authCacheTtlMs: config.AUTH_CACHE_TTL_MS,
    cacheTtlSeconds: config.CACHE_TTL_SECONDS,
    localCache: versions && { versions, maxBytes: config.CACHE_LOCAL_MAX_MB * 1024 * 1024 },
  });
  runtime.app.route('/', app);
  runtime.addReadinessCheck('redis', () => redis.status === 'ready');
  runtime.onShutdown({ name: 'kafka producer', run: () => producer.disconnect() });
  runtime.onShutdown({
    name: 'redis',
    run: async () => {
      versions?.close();
      await redis.quit();
    },
  });
  runtime.onShutdown({ name: 'clickhouse', run: () => olap.close() });
  runtime.onShutdown({
    name: 'postgres',
    run: async () => void (await Promise.all([db, genericPlanDb].map((d) => d.destroy()))),
  });

  const { port } = await runtime.listen(config.PORT, config.HOST);
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  return {
    url: `http://${host}:${port}`,
    close: () => runtime.shutdown('close'),
    handleSignals: () => runtime.handleSignals(),
  };
}
