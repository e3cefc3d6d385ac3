import { bumpTenantDataVersions } from '@postpulse/cache';
import { dlqTopic } from '@postpulse/contracts';
import { createDb } from '@postpulse/db';
import { createConsumer, createKafka, createProducer, ensureTopics } from '@postpulse/kafka';
import type { Logger } from '@postpulse/logging';
import { createOlap } from '@postpulse/olap';
import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { ClickHouseStore } from './clickhouse-store.js';
import type { AggregatorConfig } from './config.js';
import { createAggregatorConsumer } from './consumer.js';
import { createAggregatorMetrics } from './metrics.js';
import { PostgresStore } from './postgres-store.js';

export interface Aggregator {
  /** Creates missing topics, connects, joins the group and starts consuming. */
  start(): Promise<void>;
  /** True once the consumer joined its group and until it crashed. */
  ready(): boolean;
  /** Stops consuming (the current micro-batch is finished or abandoned uncommitted), then closes clients. */
  stop(): Promise<void>;
}

/** Builds every client once from config; main.ts and the tests both go through here. */
export function createAggregator(
  cfg: AggregatorConfig,
  deps: { logger: Logger; registry: Registry },
): Aggregator {
  const { logger } = deps;
  const kafka = createKafka({ brokers: cfg.KAFKA_BROKERS, clientId: cfg.KAFKA_CLIENT_ID, logger });
  const consumer = createConsumer(kafka, {
    groupId: cfg.AGGREGATOR_GROUP_ID,
    sessionTimeout: cfg.AGGREGATOR_SESSION_TIMEOUT_MS,
    heartbeatInterval: cfg.AGGREGATOR_HEARTBEAT_INTERVAL_MS,
    maxBytesPerPartition: cfg.AGGREGATOR_FETCH_MAX_BYTES_PER_PARTITION,
    maxBytes: cfg.AGGREGATOR_FETCH_MAX_BYTES_PER_PARTITION * 4,
  });
  const producer = createProducer(kafka);
  const db = createDb({
    url: cfg.DATABASE_URL,
    applicationName: 'aggregator',
    maxConnections: cfg.DATABASE_POOL_SIZE,
  });
  const olap = createOlap({ url: cfg.CLICKHOUSE_URL, database: cfg.CLICKHOUSE_DATABASE });
  const redis = new Redis(cfg.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  // A failed bump only leaves cached answers until their TTL: never a reason to hold the partition.
  const onTenantsWritten = async (tenantIds: ReadonlySet<string>) => {
    await bumpTenantDataVersions(redis, tenantIds).catch((error: unknown) =>
      logger.warn({ err: error, tenants: tenantIds.size }, 'could not invalidate the API cache'),
    );
  };
  const topics = { post: cfg.AGGREGATOR_POST_METRICS_TOPIC, account: cfg.AGGREGATOR_ACCOUNT_METRICS_TOPIC };
  const aggregator = createAggregatorConsumer(
    {
      consumer,
      producer,
      stores: { postgres: new PostgresStore(db), clickhouse: new ClickHouseStore(olap) },
      metrics: createAggregatorMetrics(deps.registry),
      logger,
      onTenantsWritten,
    },
    {
      topics,
      microBatchSize: cfg.AGGREGATOR_MICRO_BATCH_SIZE,
      partitionsConsumedConcurrently: cfg.AGGREGATOR_PARTITIONS_CONCURRENTLY,
      maxMessageBytes: cfg.AGGREGATOR_MAX_MESSAGE_BYTES,
      retryInitialMs: cfg.AGGREGATOR_RETRY_INITIAL_MS,
      retryMaxMs: cfg.AGGREGATOR_RETRY_MAX_MS,
    },
  );

  let joined = false;
  let crashed = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
    if (!payload.restart) crashed = true;
  });

  return {
    async start() {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const names = [topics.post, topics.account, dlqTopic(topics.post), dlqTopic(topics.account)];
        const created = await ensureTopics(admin, names, {
          partitions: cfg.KAFKA_TOPIC_PARTITIONS,
          replicationFactor: cfg.KAFKA_REPLICATION_FACTOR,
        });
        if (created.length > 0) logger.info({ topics: created }, 'created topics');
      } finally {
        await admin.disconnect();
      }
      await redis.connect();
      await producer.connect();
      await consumer.connect();
      await aggregator.start();
    },
    ready: () => joined && !crashed,
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
      await Promise.all([db.destroy(), olap.close(), redis.quit()]);
    },
  };
}
