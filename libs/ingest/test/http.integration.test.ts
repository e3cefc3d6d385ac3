// The HTTP layer against the simulator: breaker, timeouts, retries, and the limiter in front.
import { Writable } from 'node:stream';
import { createLogger } from '@postpulse/logging';
import { type RunningSim, SimClock, startSim } from '@postpulse/platform-sim';
import { manualClock, RateLimiter } from '@postpulse/ratelimit';
import { createTestRedis, waitUntil } from '@postpulse/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PlatformClient, PlatformError } from '../src/index.js';

const logLines: string[] = [];
const logger = createLogger({
  name: 'http-test',
  destination: new Writable({
    write(c, _e, done) {
      logLines.push(String(c));
      done();
    },
  }),
});
const clock = new SimClock(Date.UTC(2026, 10, 20, 12));
const { redis } = createTestRedis();
let sim: RunningSim;
let token = '';
let userId = '';

beforeAll(async () => {
  sim = await startSim({ clock, port: 0, tenants: 1, postsPerAccount: 5 });
  const acc = sim.sim.truth({ posts: false }).accounts.find((a) => a.platform === 'twitter');
  if (!acc) throw new Error('no X account');
  token = acc.token;
  userId = acc.account_id;
});
afterAll(async () => {
  await sim.close();
  await redis.quit();
});
beforeEach(() => {
  sim.sim.faults.reset();
});

const requests = async () =>
  ((await (await fetch(`${sim.urls.admin}/stats`)).json()) as { requests: { x: number } }).requests.x;

function makeClient(registry: Registry, prefix: string, over: { timeoutMs?: number; retries?: number } = {}) {
  const limiter = new RateLimiter(redis, manualClock(clock), prefix);
  return new PlatformClient(
    'twitter',
    { logger, registry, clock: manualClock(clock), limiter },
    {
      timeoutMs: over.timeoutMs ?? 2_000,
      retries: over.retries ?? 0,
      backoffBaseMs: 5,
      backoffMaxMs: 20,
      breaker: {
        resetTimeoutMs: 300,
        errorThresholdPercentage: 50,
        volumeThreshold: 5,
        rollingCountTimeoutMs: 10_000,
      },
    },
  );
}

const userCall = (tok: string) => ({
  endpoint: 'users_lookup',
  url: `${sim.urls.x}/2/users/${userId}?user.fields=public_metrics`,
  headers: { authorization: `Bearer ${tok}` },
  buckets: [{ key: 'u', limit: 10_000, windowMs: 900_000, mode: 'fixed' as const }],
});

describe('PlatformClient against the simulator', () => {
  it('a 5xx storm opens the breaker, calls then fail fast, one half-open probe closes it', async () => {
    const registry = new Registry();
    const client = makeClient(registry, 'storm:');
    sim.sim.faults.apply({ error_rate: { x: 1 } });
    for (let i = 0; i < 5; i++)
      await expect(client.call(userCall(token))).rejects.toMatchObject({ kind: 'server_error' });
    expect(client.breakerState('users_lookup')).toBe('open');
    const before = await requests();
    await expect(client.call(userCall(token))).rejects.toThrow(/circuit open/);
    expect(await requests()).toBe(before);

    sim.sim.faults.reset();
    await waitUntil(
      'half-open',
      async () => client.breakerState('users_lookup'),
      (s) => s === 'half_open',
      { timeoutMs: 5_000, intervalMs: 20 },
    );
    const res = await client.call(userCall(token));
    expect(res.status).toBe(200);
    expect(await requests()).toBe(before + 1);
    expect(client.breakerState('users_lookup')).toBe('closed');
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/ingest_circuit_breaker_transitions_total\{[^}]*state="open"[^}]*\} 1/);
    expect(metrics).toMatch(/ingest_circuit_breaker_transitions_total\{[^}]*state="closed"[^}]*\} 1/);
    expect(logLines.some((l) => l.includes('circuit breaker opened'))).toBe(true);
    client.shutdown();
  });

  it('4xx and 429 answers do not open the breaker and are not retried', async () => {
    const client = makeClient(new Registry(), 'auth:', { retries: 3 });
    const before = await requests();
    for (let i = 0; i < 8; i++) expect((await client.call(userCall('not-a-token'))).status).toBe(401);
    expect(await requests()).toBe(before + 8);
    expect(client.breakerState('users_lookup')).toBe('closed');
    client.shutdown();
  });

  it('retries transient failures with backoff, then gives up as server_error', async () => {
    const client = makeClient(new Registry(), 'retry:', { retries: 2 });
    sim.sim.faults.apply({ error_rate: { x: 1 } });
    const before = await requests();
    await expect(client.call(userCall(token))).rejects.toBeInstanceOf(PlatformError);
    expect(await requests()).toBe(before + 3);
    client.shutdown();
  });

  it('a hanging call is cut by the per-call timeout', async () => {
    const registry = new Registry();
    const client = makeClient(registry, 'hang:', { timeoutMs: 200 });
    sim.sim.faults.apply({ hang_rate: { x: 1 } });
    const started = Date.now();
    await expect(client.call(userCall(token))).rejects.toMatchObject({
      kind: 'server_error',
      message: expect.stringMatching(/timed out/),
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await registry.metrics()).toMatch(
      /ingest_platform_requests_total\{[^}]*outcome="timeout"[^}]*\} 1/,
    );
    client.shutdown();
  });

  it('the limiter refuses before sending when the budget is spent', async () => {
    const client = makeClient(new Registry(), 'budget:');
    const call = {
      ...userCall(token),
      buckets: [{ key: 'tiny', limit: 1, windowMs: 900_000, mode: 'fixed' as const }],
    };
    await client.call(call);
    const before = await requests();
    await expect(client.call(call)).rejects.toMatchObject({
      kind: 'rate_limited',
      retryAt: clock.now() + 900_000,
    });
    expect(await requests()).toBe(before);
    client.shutdown();
  });
});
