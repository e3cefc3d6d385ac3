// Accounts with more due posts than one batch call carries: several groups per account, all done.
import { parseConfig } from '@postpulse/config';
import { twitterConfigSchema } from '@postpulse/ingest-twitter/config';
import { startTwitterIngest } from '@postpulse/ingest-twitter/service';
import { afterAll, expect, it } from 'vitest';
import { type IngestService, leasePosts } from '../src/index.js';
import { createRig, type Rig } from './harness.js';

let rig: Rig | undefined;
let services: IngestService[] = [];
afterAll(() => rig?.close(services));

it('refreshes every post of an account with 2.5 batches of due posts, one call per 100', async () => {
  const start = Date.UTC(2026, 10, 20);
  rig = await createRig({
    start,
    seed: 5,
    tenants: 1,
    accountsPerPlatform: 1,
    postsPerAccount: 250,
    days: 60,
  });
  await rig.connect(['twitter']);
  const fetched: string[] = [];
  const counting: typeof fetch = (input, init) => {
    fetched.push(String(input));
    return fetch(input, init);
  };
  services = [
    await startTwitterIngest(parseConfig(twitterConfigSchema, rig.env), {
      clock: rig.clock,
      logger: rig.logger,
      topics: rig.topics,
      redisKeyPrefix: rig.redisKeyPrefix,
      fetch: counting,
    }),
  ];
  await rig.settle(services, ['twitter']);
  await rig.drained();
  const ids = new Set(rig.collected.posts.map((e) => e.platform_post_id));
  expect(ids.size).toBe(250);
  expect(rig.collected.posts).toHaveLength(250);
  expect(fetched.filter((u) => u.includes('/2/tweets?'))).toHaveLength(3);
  const leased = await rig.database.db
    .selectFrom('ingest_posts')
    .select('platform_post_id')
    .where('lease_owner', 'is not', null)
    .execute();
  expect(leased).toEqual([]);
});

it('a dead replica’s leases expire and another replica takes the work over', async () => {
  const start = Date.UTC(2026, 10, 20);
  const r = await createRig({
    start,
    seed: 6,
    tenants: 1,
    accountsPerPlatform: 1,
    postsPerAccount: 30,
    days: 20,
  });
  let live: IngestService[] = [];
  try {
    await r.connect(['twitter']);
    const config = parseConfig(twitterConfigSchema, { ...r.env, LEASE_MS: String(10 * 60_000) });
    const extra = { clock: r.clock, logger: r.logger, topics: r.topics, redisKeyPrefix: r.redisKeyPrefix };
    // A replica that discovers, leases the due posts, and dies before finishing them.
    const dying = await startTwitterIngest(config, { ...extra, runWorker: false });
    await dying.worker.accountsTick();
    const leased = await leasePosts(r.database.db, {
      platforms: ['twitter'],
      owner: 'dead-replica',
      now: r.simClock.now(),
      leaseMs: 10 * 60_000,
      fillAheadMs: 0,
      perAccount: 400,
      maxAccounts: 8,
    });
    expect(leased.length).toBe(30);
    await dying.stop();
    live = [await startTwitterIngest(config, { ...extra, runWorker: false })];
    const worker = live[0]?.worker;
    if (!worker) throw new Error('no replica');
    // Within the lease nobody touches them …
    expect(await worker.postsTick()).toBe(0);
    // … after it, the live replica does.
    r.simClock.advance(10 * 60_000);
    expect(await worker.postsTick()).toBe(30);
    await r.drained();
    expect(new Set(r.collected.posts.map((e) => e.platform_post_id)).size).toBe(30);
  } finally {
    await r.close(live);
  }
});
