import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@postpulse/logging';
import {
  type Admin,
  type Consumer,
  type ConsumerConfig,
  Kafka,
  type LogEntry,
  logLevel,
  Partitioners,
  type Producer,
  type ProducerConfig,
} from 'kafkajs';

export type { Admin, Consumer, EachBatchPayload, KafkaMessage, Message, Producer } from 'kafkajs';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  logger: Logger;
}

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs logs through our pino logger, so its lines carry the service's bindings and format. */
export function createKafka({ brokers, clientId, logger }: KafkaSettings): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[levels[level] ?? 'info'](rest, message);
      },
    retry: { initialRetryTime: 200, retries: 8 },
  });
}

/**
 * Waits for every in-sync replica (`acks: -1` is set per send); idempotence makes retried sends
 * safe within a producer session. Keys go to partitions as the Java client puts them (murmur2), so
 * producers in other languages agree on where a post's events live.
 */
export function createProducer(kafka: Kafka, config: ProducerConfig = {}): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    ...config,
  });
}

export function createConsumer(kafka: Kafka, config: ConsumerConfig): Consumer {
  return kafka.consumer({
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    ...config,
  });
}

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
}

/**
 * Creates the topics that do not exist yet and waits until every partition has a leader. A new
 * topic can be known to the controller before the broker serves its metadata (kafkajs then fails
 * with "does not host this topic-partition"), so readiness is polled here rather than trusted.
 */
export async function ensureTopics(
  admin: Admin,
  names: readonly string[],
  settings: TopicSettings,
  timeoutMs = 30_000,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = names.filter((n) => !existing.has(n));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: settings.partitions,
        replicationFactor: settings.replicationFactor,
      })),
    });
  }
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [...names] });
      const ready = topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (ready && topics.length === names.length) return missing;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`topics without leaders after ${timeoutMs} ms (${names.join(', ')})${cause}`, {
        cause: lastError,
      });
    }
    await delay(100);
  }
}
