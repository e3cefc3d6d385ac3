import { Stack } from '@postpulse/stack';
import { afterAll, expect, it } from 'vitest';
import { createTestRedis } from '../src/index.js';

const { redis, prefix } = createTestRedis();
afterAll(() => redis.quit());

it('reports every server of the stack as running and answering', async () => {
  const statuses = await new Stack(undefined, () => {}).status();
  expect(statuses.map((s) => [s.name, s.ready])).toEqual([
    ['postgres', true],
    ['redis', true],
    ['clickhouse', true],
    ['kafka', true],
  ]);
});

it('uses the real Redis, isolated under a per-test prefix', async () => {
  await redis.set('greeting', 'hello', 'PX', 60_000);
  expect(await redis.get('greeting')).toBe('hello');
  const raw = redis.duplicate({ keyPrefix: '' });
  expect(await raw.get(`${prefix}greeting`)).toBe('hello');
  expect(await raw.pttl(`${prefix}greeting`)).toBeGreaterThan(0);
  await raw.quit();
});
