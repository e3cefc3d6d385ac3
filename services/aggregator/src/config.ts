import { env } from '@postpulse/config';
import { topics } from '@postpulse/contracts';
import { z } from 'zod';

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'a Kafka topic name');

export const aggregatorConfigSchema = z.object({
  LOG_LEVEL: env.logLevel(),
  /** /healthz, /readyz, /metrics. 0 picks a free port (tests run several at once). */
  PORT: env.port(8082),
  KAFKA_BROKERS: env.list('127.0.0.1:19092'),
  KAFKA_CLIENT_ID: z.string().min(1).default('aggregator'),
  AGGREGATOR_GROUP_ID: z.string().min(1).default('postpulse-aggregator'),
  AGGREGATOR_POST_METRICS_TOPIC: topicName.default(topics.postMetrics),
  AGGREGATOR_ACCOUNT_METRICS_TOPIC: topicName.default(topics.accountMetrics),
  /** Used when the topics (and their DLQs) do not exist yet; existing topics are left as they are. */
  KAFKA_TOPIC_PARTITIONS: env.int(6).pipe(z.number().int().min(1)),
  KAFKA_REPLICATION_FACTOR: env.int(1).pipe(z.number().int().min(1)),
  /** A consumer that stops heartbeating for this long is replaced; its partitions go to the others. */
  AGGREGATOR_SESSION_TIMEOUT_MS: env.int(30_000).pipe(z.number().int().min(6000)),
  AGGREGATOR_HEARTBEAT_INTERVAL_MS: env.int(3000).pipe(z.number().int().min(100)),
  /** Messages written to the stores per round trip; offsets are committed after each. */
  AGGREGATOR_MICRO_BATCH_SIZE: env.int(2000).pipe(z.number().int().min(1).max(50_000)),
  /** Partitions processed at once; each has its own micro-batches, so stores see this many writers. */
  AGGREGATOR_PARTITIONS_CONCURRENTLY: env.int(3).pipe(z.number().int().min(1).max(64)),
  /** Bytes fetched per partition per request; bigger batches amortize the stores' round trips. */
  AGGREGATOR_FETCH_MAX_BYTES_PER_PARTITION: env.int(2 * 1024 * 1024).pipe(z.number().int().min(1024)),
  /** A message bigger than this goes to the DLQ as `oversized` without being parsed. */
  AGGREGATOR_MAX_MESSAGE_BYTES: env.int(1024 * 1024).pipe(z.number().int().min(256)),
  /** Backoff while a store (or the DLQ producer) refuses a micro-batch: doubles up to the max. */
  AGGREGATOR_RETRY_INITIAL_MS: env.int(200).pipe(z.number().int().min(1)),
  AGGREGATOR_RETRY_MAX_MS: env.int(10_000).pipe(z.number().int().min(1)),
  DATABASE_URL: z.string().min(1).default('postgres://postgres@127.0.0.1:15432/postpulse'),
  DATABASE_POOL_SIZE: env.int(8).pipe(z.number().int().min(1)),
  CLICKHOUSE_URL: env.url('http://127.0.0.1:18123'),
  /** Where the query API keeps its cache; each written batch bumps its tenants' data versions there. */
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:16379'),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default('postpulse'),
});

export type AggregatorConfig = z.infer<typeof aggregatorConfigSchema>;
