// Tight platform limits on a compressed clock: X windows we know in advance, LinkedIn quotas we
// learn from a 429, Meta usage we read from headers. Zero violations in every case. Then refresh
// requests from Kafka.
import { randomUUID } from 'node:crypto';
import { parseConfig } from '@postpulse/config';
import { dlqHeaders, type Platform } from '@postpulse/contracts';
import { linkedinConfigSchema } from '@postpulse/ingest-linkedin/config';
import { startLinkedInIngest } from '@postpulse/ingest-linkedin/service';
import { metaConfigSchema } from '@postpulse/ingest-meta/config';
import { startMetaIngest } from '@postpulse/ingest-meta/service';
import { twitterConfigSchema } from '@postpulse/ingest-twitter/config';
import { startTwitterIngest } from '@postpulse/ingest-twitter/service';
import { createConsumer, createKafka, createProducer } from '@postpulse/kafka';
import { stackEnv, uniqueGroupId, waitUntil } from '@postpulse/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestService } from '../src/index.js';
import { createRig, type Rig } from './harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const start = Date.UTC(2026, 10, 20, 0, 0, 0);
const end = start + DAY + 6 * HOUR;
const ALL: Platform[] = ['twitter', 'linkedin', 'facebook', 'instagram'];

let rig: Rig;
let services: IngestService[] = [];

beforeAll(async () => {
  rig = await createRig({
    start,
    seed: 31,
    tenants: 3,
    accountsPerPlatform: 1,
    postsPerAccount: 30,
    days: 40,
    anchor: start + DAY,
    limits: {
      x: {
        endpoints: {
          tweets_lookup: { perUser: 1, perApp: 2 },
          user_tweets: { perUser: 2, perApp: 4 },
          users_lookup: { perUser: 1, perApp: 2 },
        },
      },
      linkedin: { appDaily: 100_000, memberDaily: 4 },
      meta: { pagePerDay: 600 },
    },
  });
  await rig.connect(ALL);
  const env = {
    ...rig.env,
    // X publishes its limits: configured exactly. LinkedIn's and Meta's are not: ours are far too high.
    X_TWEETS_LOOKUP_PER_USER: '1',
    X_TWEETS_LOOKUP_PER_APP: '2',
    X_USER_TWEETS_PER_USER: '2',
    X_USER_TWEETS_PER_APP: '4',
    X_USERS_LOOKUP_PER_USER: '1',
    X_USERS_LOOKUP_PER_APP: '2',
  };
  const extra = {
    clock: rig.clock,
    logger: rig.logger,
    topics: rig.topics,
    redisKeyPrefix: rig.redisKeyPrefix,
  };
  // Each service has its own refresh consumer group (replicas of one service share theirs).
  const groups = { twitter: uniqueGroupId('x'), linkedin: uniqueGroupId('li'), meta: uniqueGroupId('meta') };
  services = await Promise.all([
    startTwitterIngest(parseConfig(twitterConfigSchema, { ...env, REFRESH_GROUP_ID: groups.twitter }), extra),
    startTwitterIngest(parseConfig(twitterConfigSchema, { ...env, REFRESH_GROUP_ID: groups.twitter }), extra),
    startLinkedInIngest(
      parseConfig(linkedinConfigSchema, { ...env, REFRESH_GROUP_ID: groups.linkedin }),
      extra,
    ),
    startMetaIngest(parseConfig(metaConfigSchema, { ...env, REFRESH_GROUP_ID: groups.meta }), extra),
  ]);
  await rig.drive(services, ALL, end, HOUR);
  await rig.drained();
}, 300_000);

afterAll(() => rig?.close(services));

describe('platform limits', () => {
  it('zero violations although every platform throttled', () => {
    const report = rig.sim.sim.violations.report();
    expect(report.total).toBe(0);
    // LinkedIn only says so with a 429 (the first one of a day is how a client learns).
    expect(report.throttled_responses).toBeGreaterThan(0);
  });

  it('X: the shared limiter held calls back instead of sending them, across two replicas', async () => {
    const metrics = (await Promise.all(services.slice(0, 2).map((s) => s.runtime.registry.metrics()))).join(
      '\n',
    );
    const refused = [
      ...metrics.matchAll(/ingest_rate_limiter_refusals_total\{[^}]*platform="twitter"[^}]*\} (\d+)/g),
    ].reduce((n, m) => n + Number(m[1]), 0);
    expect(refused).toBeGreaterThan(0);
    const seen = new Set(
      rig.collected.posts.filter((e) => e.platform === 'twitter').map((e) => e.platform_post_id),
    );
    expect(seen.size).toBeGreaterThan(60);
  });

  it('LinkedIn: a daily 429 blocks until 00:00 UTC, is reported once per account, and work resumes the next day', () => {
    const midnight = start + DAY;
    const status = rig.collected.status.filter(
      (e) => e.platform === 'linkedin' && e.status === 'rate_limited',
    );
    expect(status.length).toBeGreaterThan(0);
    // Blocked until the next 00:00 UTC after the refusal, reported once per account and day.
    for (const e of status) {
      expect(e.until).toBe(new Date((Math.floor(Date.parse(e.observed_at) / DAY) + 1) * DAY).toISOString());
      expect(e.reason).toMatch(/DAY limit/);
    }
    const perDay = status.map((e) => `${e.account_id}:${e.until}`);
    expect(new Set(perDay).size).toBe(perDay.length);
    expect(status.filter((e) => e.until === new Date(midnight).toISOString())).toHaveLength(3);
    const li = rig.collected.posts.filter((e) => e.platform === 'linkedin');
    expect(li.some((e) => Date.parse(e.observed_at) >= midnight)).toBe(true);
  });

  it('Meta: usage headers near 100 % pause the scope before Meta blocks it', () => {
    expect(rig.collected.posts.some((e) => e.platform === 'facebook')).toBe(true);
    expect(rig.collected.posts.some((e) => e.platform === 'instagram')).toBe(true);
    expect(rig.sim.sim.violations.report().entries.filter((e) => e.api === 'meta')).toEqual([]);
  });

  it('a refresh request makes the tenant’s posts due now; an invalid one goes to the DLQ', async () => {
    const tenant = rig.truthAccounts('linkedin')[2]?.tenant_id ?? '';
    const kafka = createKafka({
      brokers: [stackEnv().KAFKA_BROKERS],
      clientId: 'refresh-test',
      logger: rig.logger,
    });
    const producer = createProducer(kafka);
    await producer.connect();
    const now = rig.simClock.now();
    const active = await rig.database.db
      .selectFrom('ingest_posts')
      .innerJoin('platform_accounts', 'platform_accounts.id', 'ingest_posts.account_pk')
      .select('ingest_posts.platform_post_id')
      .where('ingest_posts.tenant_id', '=', tenant)
      .where('ingest_posts.platform', '=', 'instagram')
      .where('ingest_posts.state', '=', 'active')
      .execute();
    expect(active.length).toBeGreaterThan(0);
    await producer.send({
      topic: rig.topics.refreshRequests,
      acks: -1,
      messages: [
        {
          key: `${tenant}:instagram`,
          value: JSON.stringify({
            schema_version: 1,
            request_id: randomUUID(),
            tenant_id: tenant,
            platform: 'instagram',
            requested_at: new Date(now).toISOString(),
          }),
        },
        { key: 'bad', value: '{"schema_version":1,"platform":"myspace"}' },
      ],
    });
    await waitUntil(
      'refreshed now',
      async () =>
        rig.collected.posts.filter(
          (e) => e.platform === 'instagram' && e.tenant_id === tenant && Date.parse(e.observed_at) === now,
        ).length,
      (n) => n >= active.length,
      { timeoutMs: 60_000 },
    );
    const dlq = createConsumer(kafka, { groupId: uniqueGroupId('dlq-reader') });
    await dlq.connect();
    await dlq.subscribe({ topic: `${rig.topics.refreshRequests}.dlq`, fromBeginning: true });
    const reasons: string[] = [];
    await dlq.run({
      eachMessage: async ({ message }) =>
        void reasons.push(String(message.headers?.[dlqHeaders.reason] ?? '')),
    });
    await waitUntil(
      'dlq message',
      async () => reasons.length,
      (n) => n >= 1,
      { timeoutMs: 60_000 },
    );
    // Every service's group validates what it reads; none drops a bad message silently.
    expect(reasons.length).toBeGreaterThanOrEqual(1);
    expect(reasons.every((r) => r === 'invalid')).toBe(true);
    await dlq.disconnect();
    await producer.disconnect();
  });
});
