import { Writable } from 'node:stream';
import { parseConfig } from '@postpulse/config';
import { dlqTopic } from '@postpulse/contracts';
import { createDb, type Database } from '@postpulse/db';
import { createKafka, createProducer, ensureTopics, type Message, type Producer } from '@postpulse/kafka';
import { createLogger } from '@postpulse/logging';
import {
  createTestDatabase,
  createTestOlap,
  stackEnv,
  type TestDatabase,
  type TestOlap,
  uniqueGroupId,
  uniqueTopic,
} from '@postpulse/testing';
import type { Kysely } from 'kysely';
import { Registry } from 'prom-client';
import { type Aggregator, createAggregator } from '../src/aggregator.js';
import { aggregatorConfigSchema } from '../src/config.js';

export const quietLogger = () =>
  createLogger({
    name: 'aggregator-test',
    level: 'warn',
    destination: new Writable({ write: (_c, _e, d) => d() }),
  });

export interface Harness {
  /** The Postgres database the aggregator writes to. */
  db: Kysely<Database>;
  olap: TestOlap;
  /** Variables for the aggregator: unique topics, group and databases of this test. */
  env: Record<string, string>;
  postTopic: string;
  accountTopic: string;
  producer: Producer;
  send(topic: string, messages: Message[]): Promise<void>;
  /** An in-process aggregator on this harness's env (plus overrides). */
  startAggregator(
    overrides?: Record<string, string>,
  ): Promise<{ aggregator: Aggregator; registry: Registry }>;
  close(): Promise<void>;
}

/** Without `databaseUrl`, a fresh migrated database of the shared stack; with it, that (migrated) one. */
export async function createHarness(opts: { databaseUrl?: string } = {}): Promise<Harness> {
  const pg: TestDatabase | null = opts.databaseUrl ? null : await createTestDatabase();
  const databaseUrl = opts.databaseUrl ?? pg?.url ?? '';
  const db = pg?.db ?? createDb({ url: databaseUrl, applicationName: 'aggregator-test' });
  const olap = await createTestOlap();
  const postTopic = uniqueTopic('post-metrics');
  const accountTopic = uniqueTopic('account-metrics');
  const stack = stackEnv();
  const env: Record<string, string> = {
    KAFKA_BROKERS: stack.KAFKA_BROKERS,
    DATABASE_URL: databaseUrl,
    CLICKHOUSE_URL: stack.CLICKHOUSE_URL,
    CLICKHOUSE_DATABASE: olap.database,
    REDIS_URL: stack.REDIS_URL,
    AGGREGATOR_GROUP_ID: uniqueGroupId('aggregator'),
    AGGREGATOR_POST_METRICS_TOPIC: postTopic,
    AGGREGATOR_ACCOUNT_METRICS_TOPIC: accountTopic,
    KAFKA_TOPIC_PARTITIONS: '3',
    PORT: '0',
    LOG_LEVEL: 'warn',
  };
  const logger = quietLogger();
  const kafka = createKafka({ brokers: [stack.KAFKA_BROKERS], clientId: 'aggregator-test', logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [postTopic, accountTopic, dlqTopic(postTopic), dlqTopic(accountTopic)], {
    partitions: 3,
    replicationFactor: 1,
  });
  await admin.disconnect();
  const producer = createProducer(kafka);
  await producer.connect();
  const running: Aggregator[] = [];

  return {
    db,
    olap,
    env,
    postTopic,
    accountTopic,
    producer,
    async send(topic, messages) {
      for (let i = 0; i < messages.length; i += 5000) {
        await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 5000) });
      }
    },
    async startAggregator(overrides = {}) {
      const registry = new Registry();
      const aggregator = createAggregator(parseConfig(aggregatorConfigSchema, { ...env, ...overrides }), {
        logger,
        registry,
      });
      running.push(aggregator);
      await aggregator.start();
      return { aggregator, registry };
    },
    async close() {
      for (const a of running) await a.stop().catch(() => undefined);
      await producer.disconnect();
      // Dropping a ClickHouse database that is still merging can outlast the client's timeout on a busy
      // machine; a leftover test database is harmless, a failed file for it is not.
      await olap.drop().catch((error: unknown) => process.stderr.write(`olap cleanup: ${String(error)}\n`));
      if (pg) await pg.drop();
      else await db.destroy();
    },
  };
}

/** Rows of a ClickHouse query as JSON objects. */
export async function chRows<T>(olap: TestOlap, query: string): Promise<T[]> {
  return (await olap.client.query({ query, format: 'JSONEachRow' })).json<T>();
}
