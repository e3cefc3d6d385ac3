import { randomUUID } from 'node:crypto';
import { dlqHeaders, dlqTopic } from '@postpulse/contracts';
import { createConsumer, createKafka } from '@postpulse/kafka';
import { stackEnv, uniqueGroupId, waitUntil } from '@postpulse/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postEvent, postMessage } from './fixtures.js';
import { createHarness, type Harness, quietLogger } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.startAggregator({ AGGREGATOR_MAX_MESSAGE_BYTES: '8192', AGGREGATOR_MICRO_BATCH_SIZE: '50' });
});
afterAll(() => h.close());

interface DlqEntry {
  key: string;
  reason: string;
  detail: string;
  sourceTopic: string;
  sourcePartition: string;
  sourceOffset: string;
}

it('sends every poison message to the DLQ with its reason and source, and writes every valid one', async () => {
  const tenant = randomUUID();
  const valid = (i: number) =>
    postEvent({
      tenant_id: tenant,
      platform_post_id: `post-${i % 40}`,
      observed_at: new Date(Date.UTC(2026, 10, 20, i % 24, i)).toISOString(),
    });
  const good = valid(0);
  const poisons: { reason: string; value: string | null }[] = [
    { reason: 'invalid_json', value: '{"schema_version": 1, "event_id": ' },
    { reason: 'invalid_json', value: '\u0000\u00ff garbage' },
    { reason: 'schema_violation', value: JSON.stringify({ ...good, metrics: undefined }) },
    { reason: 'schema_violation', value: JSON.stringify({ ...good, tenant_id: 'not-a-uuid' }) },
    {
      reason: 'schema_violation',
      value: JSON.stringify({ ...good, metrics: { ...good.metrics, likes_count: -0.5 } }),
    },
    { reason: 'schema_violation', value: '[1,2,3]' },
    { reason: 'unknown_platform', value: JSON.stringify({ ...good, platform: 'myspace' }) },
    { reason: 'unsupported_schema_version', value: JSON.stringify({ ...good, schema_version: 2 }) },
    {
      reason: 'observed_at_out_of_range',
      value: JSON.stringify({ ...good, observed_at: '1900-01-01T00:00:00Z' }),
    },
    {
      reason: 'oversized',
      value: JSON.stringify({ ...good, post: { ...good.post, content_text: 'x'.repeat(9000) } }),
    },
    { reason: 'empty', value: null },
  ];

  const expected = new Map<string, string>();
  let n = 0;
  const validEvents = [];
  for (let round = 0; round < 3; round++) {
    for (const poison of poisons) {
      const batch = Array.from({ length: 20 }, () => valid(n++));
      validEvents.push(...batch);
      await h.send(h.postTopic, batch.map(postMessage));
      const key = `poison-${round}-${poison.reason}-${expected.size}`;
      const [meta] = await h.producer.send({
        topic: h.postTopic,
        acks: -1,
        messages: [{ key, value: poison.value }],
      });
      expected.set(key, `${poison.reason}@${meta?.partition}:${meta?.baseOffset}`);
    }
  }

  const kafka = createKafka({
    brokers: [stackEnv().KAFKA_BROKERS],
    clientId: 'dlq-reader',
    logger: quietLogger(),
  });
  const reader = createConsumer(kafka, { groupId: uniqueGroupId('dlq-reader') });
  const seen: DlqEntry[] = [];
  await reader.connect();
  await reader.subscribe({ topic: dlqTopic(h.postTopic), fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      const header = (name: string) => String(message.headers?.[name] ?? '');
      seen.push({
        key: String(message.key),
        reason: header(dlqHeaders.reason),
        detail: header(dlqHeaders.detail),
        sourceTopic: header(dlqHeaders.sourceTopic),
        sourcePartition: header(dlqHeaders.sourcePartition),
        sourceOffset: header(dlqHeaders.sourceOffset),
      });
    },
  });
  try {
    await waitUntil(
      'every poison in the DLQ',
      async () => seen.length,
      (c) => c >= expected.size,
    );
  } finally {
    await reader.disconnect();
  }

  expect(seen).toHaveLength(expected.size);
  for (const entry of seen) {
    expect(entry.sourceTopic).toBe(h.postTopic);
    expect(entry.detail.length).toBeGreaterThan(0);
    expect(`${entry.reason}@${entry.sourcePartition}:${entry.sourceOffset}`).toBe(expected.get(entry.key));
  }

  // Valid events: 40 posts, each observation distinct, so every one is a history row.
  await waitUntil(
    'every valid event in Postgres',
    async () =>
      (
        await h.db
          .selectFrom('post_metric_snapshots')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('tenant_id', '=', tenant)
          .executeTakeFirstOrThrow()
      ).n,
    (c) => Number(c) === validEvents.length,
  );
  const posts = await h.db
    .selectFrom('posts')
    .select('platform_post_id')
    .where('tenant_id', '=', tenant)
    .execute();
  expect(posts).toHaveLength(40);
});
