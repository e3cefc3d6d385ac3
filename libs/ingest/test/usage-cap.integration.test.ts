// X's monthly usage cap is not a window: the first `usage-capped` 429 stops every X call of the app
// until the 1st of next month (UTC), and calls resume then.
import { parseConfig } from '@postpulse/config';
import { twitterConfigSchema } from '@postpulse/ingest-twitter/config';
import { startTwitterIngest } from '@postpulse/ingest-twitter/service';
import { afterAll, expect, it } from 'vitest';
import type { IngestService } from '../src/index.js';
import { createRig, type Rig } from './harness.js';

const HOUR = 3_600_000;
let rig: Rig | undefined;
let services: IngestService[] = [];
afterAll(() => rig?.close(services));

it('a usage-capped 429 blocks every X call until the 1st of the next month, with no refused call in between', async () => {
  const start = Date.UTC(2026, 10, 28);
  const nextMonth = Date.UTC(2026, 11, 1);
  rig = await createRig({
    start,
    seed: 9,
    tenants: 1,
    accountsPerPlatform: 1,
    postsPerAccount: 60,
    days: 30,
    limits: { x: { monthlyPostCap: 40 } },
  });
  await rig.connect(['twitter']);
  services = [
    await startTwitterIngest(parseConfig(twitterConfigSchema, rig.env), {
      clock: rig.clock,
      logger: rig.logger,
      topics: rig.topics,
      redisKeyPrefix: rig.redisKeyPrefix,
    }),
  ];
  const r = rig;
  await r.drive(services, ['twitter'], nextMonth + 2 * HOUR, 6 * HOUR);
  await r.drained();
  const report = r.sim.sim.violations.report();
  expect(report.total).toBe(0);
  expect(report.throttled_responses).toBeGreaterThanOrEqual(1);
  const status = r.collected.status.filter((e) => e.status === 'rate_limited');
  // Each refusal blocks until the 1st of the month after it (the cap is reached again in December).
  expect(status[0]?.until).toBe(new Date(nextMonth).toISOString());
  for (const e of status) {
    const d = new Date(e.observed_at);
    expect(e.until).toBe(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString());
  }
  const firstRefusal = Date.parse(status[0]?.observed_at ?? '');
  const posts = r.collected.posts.map((e) => Date.parse(e.observed_at));
  expect(posts.filter((t) => t > firstRefusal && t < nextMonth)).toEqual([]);
  expect(posts.filter((t) => t >= nextMonth).length).toBeGreaterThan(0);
});
