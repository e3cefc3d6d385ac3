import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { messageKeys, type PostMetricsSnapshot, postMetricsSnapshotSchema } from '@postpulse/contracts';
import { createLogger } from '@postpulse/logging';
import { stackEnv, uniqueGroupId, uniqueTopic } from '@postpulse/testing';
import { afterAll, expect, it } from 'vitest';
import { createConsumer, createKafka, createProducer, ensureTopics } from '../src/index.js';

const logger = createLogger({
  name: 'test',
  level: 'warn',
  destination: new Writable({ write: (_c, _e, d) => d() }),
});
const kafka = createKafka({ brokers: [stackEnv().KAFKA_BROKERS], clientId: 'kafka-test', logger });
const admin = kafka.admin();
afterAll(() => admin.disconnect());

const event: PostMetricsSnapshot = {
  schema_version: 1,
  event_id: randomUUID(),
  tenant_id: randomUUID(),
  platform: 'twitter',
  account_id: '2244994945',
  platform_post_id: '1851234567890123456',
  observed_at: '2026-11-20T10:00:00.000Z',
  post: null,
  metrics: {
    impressions: 1000,
    reach: null,
    clicks: 5,
    likes_count: 40,
    comments_count: 3,
    shares_count: 7,
    saves_count: null,
    reactions_count: null,
    retweets_count: 5,
    quote_tweets_count: 2,
    video_views: null,
    video_watch_time: null,
  },
};

it('creates topics from settings and carries a contract event through the real broker', async () => {
  const topic = uniqueTopic('post-metrics');
  await admin.connect();
  expect(await ensureTopics(admin, [topic], { partitions: 3, replicationFactor: 1 })).toEqual([topic]);
  expect(await ensureTopics(admin, [topic], { partitions: 3, replicationFactor: 1 })).toEqual([]);
  const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
  expect(meta?.partitions).toHaveLength(3);

  const producer = createProducer(kafka);
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: [{ key: messageKeys.post(event), value: JSON.stringify(event) }],
  });
  await producer.disconnect();

  const consumer = createConsumer(kafka, { groupId: uniqueGroupId('kafka-test') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received = await new Promise<{ key: string; value: unknown }>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) =>
        resolve({ key: String(message.key), value: JSON.parse(String(message.value)) }),
    });
  });
  await consumer.disconnect();
  expect(received.key).toBe(`${event.tenant_id}:twitter:${event.platform_post_id}`);
  expect(postMetricsSnapshotSchema.parse(received.value)).toEqual(event);
});
