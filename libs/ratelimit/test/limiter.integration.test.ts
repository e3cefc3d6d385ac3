import { createTestRedis } from '@postpulse/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { manualClock, RateLimiter, systemClock } from '../src/index.js';

const { redis } = createTestRedis();
afterAll(() => redis.quit());

function testClock(start: number) {
  let t = start;
  return { clock: manualClock({ now: () => t }), advance: (ms: number) => (t += ms) };
}

describe('RateLimiter (real Redis)', () => {
  it('fixed window: refuses past the limit, says when, reopens after the window', async () => {
    const { clock, advance } = testClock(Date.UTC(2026, 10, 20, 10));
    const limiter = new RateLimiter(redis, clock, 'fixed:');
    const b = [{ key: 'a', limit: 3, windowMs: 60_000, mode: 'fixed' as const }];
    for (let i = 0; i < 3; i++) expect((await limiter.acquire(b)).ok).toBe(true);
    const refused = await limiter.acquire(b);
    expect(refused).toEqual({ ok: false, retryAt: clock.now() + 60_000, key: 'a' });
    advance(60_000);
    expect((await limiter.acquire(b)).ok).toBe(true);
  });

  it('takes from all buckets or none', async () => {
    const { clock } = testClock(Date.UTC(2026, 10, 20, 10));
    const limiter = new RateLimiter(redis, clock, 'multi:');
    const user = { key: 'user', limit: 5, windowMs: 60_000, mode: 'fixed' as const };
    const app = { key: 'app', limit: 2, windowMs: 60_000, mode: 'fixed' as const };
    expect((await limiter.acquire([user, app], 2)).ok).toBe(true);
    const refused = await limiter.acquire([user, app]);
    expect(refused.ok === false && refused.key).toBe('app');
    // The user bucket was not charged by the refused call: 3 left.
    expect((await limiter.acquire([user], 3)).ok).toBe(true);
    expect((await limiter.acquire([user])).ok).toBe(false);
  });

  it('adopts what the platform reports: remaining and reset', async () => {
    const { clock, advance } = testClock(Date.UTC(2026, 10, 20, 10));
    const limiter = new RateLimiter(redis, clock, 'observe:');
    const b = [{ key: 'x', limit: 100, windowMs: 900_000, mode: 'fixed' as const }];
    expect((await limiter.acquire(b)).ok).toBe(true);
    const serverReset = clock.now() + 901_000;
    await limiter.observe('x', 1, serverReset);
    expect((await limiter.acquire(b)).ok).toBe(true);
    const refused = await limiter.acquire(b);
    expect(refused).toMatchObject({ ok: false, retryAt: serverReset });
    advance(900_000); // our window would be over, the platform's is not
    expect((await limiter.acquire(b)).ok).toBe(false);
    advance(1_000);
    expect((await limiter.acquire(b)).ok).toBe(true);
  });

  it('utc-day windows reset at midnight UTC and blocks hold until their time', async () => {
    const { clock, advance } = testClock(Date.UTC(2026, 10, 20, 23, 59));
    const limiter = new RateLimiter(redis, clock, 'day:');
    const b = [{ key: 'li', limit: 1, windowMs: 86_400_000, mode: 'utc-day' as const }];
    expect((await limiter.acquire(b)).ok).toBe(true);
    expect(await limiter.acquire(b)).toMatchObject({ ok: false, retryAt: Date.UTC(2026, 10, 21) });
    advance(60_000);
    expect((await limiter.acquire(b)).ok).toBe(true);
    await limiter.block('li', clock.now() + 5_000);
    expect(await limiter.blockedUntil('li')).toBe(clock.now() + 5_000);
    expect(await limiter.acquire(b)).toMatchObject({ ok: false, retryAt: clock.now() + 5_000 });
  });

  it('sliding windows count costs over the rolling window', async () => {
    const { clock, advance } = testClock(Date.UTC(2026, 10, 20, 10));
    const limiter = new RateLimiter(redis, clock, 'slide:');
    const b = [{ key: 'meta', limit: 10, windowMs: 3_600_000, mode: 'sliding' as const }];
    expect((await limiter.acquire(b, 6)).ok).toBe(true);
    advance(1_800_000);
    expect((await limiter.acquire(b, 4)).ok).toBe(true);
    expect((await limiter.acquire(b, 1)).ok).toBe(false);
    advance(1_800_000 + 60_000);
    // The first 6 have left the window, the later 4 have not.
    expect((await limiter.acquire(b, 6)).ok).toBe(true);
    expect((await limiter.acquire(b, 1)).ok).toBe(false);
  });

  it('replicas competing never exceed the limit (system clock, Redis TIME)', async () => {
    // One prefix for all three: they must share the bucket, as replicas do.
    const prefix = `race:${Date.now()}:`;
    const limiters = [0, 1, 2].map(() => new RateLimiter(redis, systemClock, prefix));
    const b = [{ key: 'k', limit: 50, windowMs: 600_000, mode: 'fixed' as const }];
    const results = await Promise.all(
      Array.from(
        { length: 200 },
        (_, i) => limiters[i % 3]?.acquire(b) ?? Promise.reject(new Error('no limiter')),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(50);
  });
});
