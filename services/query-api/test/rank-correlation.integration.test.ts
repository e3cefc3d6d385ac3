import { createTestDatabase, type TestDatabase } from '@postpulse/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spearman } from '../src/domain/rank-correlation.js';

let pg: TestDatabase;
beforeAll(async () => {
  pg = await createTestDatabase();
});
afterAll(async () => {
  await pg?.drop();
});

async function correlate(xs: readonly (number | null)[], ys: readonly (number | null)[]) {
  const pairs = sql`SELECT * FROM unnest(${xs}::float8[], ${ys}::float8[]) AS t(x, y)`;
  const { rows } = await sql<{ n: number; rho: number | null }>`${spearman(pairs)}`.execute(pg.db);
  return rows[0];
}

it('computes Spearman rho as a textbook example does', async () => {
  // Classic example: IQ vs hours of TV (Wikipedia), rho = −29/165 ≈ −0.1758.
  const iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110];
  const tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17];
  expect(await correlate(iq, tv)).toEqual({ n: 10, rho: expect.closeTo(-29 / 165, 12) });
  expect((await correlate([1, 2, 3, 4], [10, 20, 30, 40]))?.rho).toBeCloseTo(1, 12);
  expect((await correlate([1, 2, 3, 4], [40, 30, 20, 10]))?.rho).toBeCloseTo(-1, 12);
});

it('gives tied values the mean of their ranks, in either variable', async () => {
  // Ranks x: 1, 2.5, 2.5, 4 and y: 1.5, 3, 1.5, 4; Pearson on them is 3.75 / 4.5.
  expect((await correlate([10, 20, 20, 30], [5, 7, 5, 9]))?.rho).toBeCloseTo(5 / 6, 12);
  expect((await correlate([5, 7, 5, 9], [10, 20, 20, 30]))?.rho).toBeCloseTo(5 / 6, 12);
});

it('leaves out pairs with a null and is null when undefined', async () => {
  expect(await correlate([1, 2, 3, null, 5], [1, 2, 3, 4, null])).toEqual({
    n: 3,
    rho: expect.closeTo(1, 12),
  });
  expect(await correlate([1, 2], [2, 1])).toEqual({ n: 2, rho: null });
  expect(await correlate([1, 1, 1, 1], [1, 2, 3, 4])).toEqual({ n: 4, rho: null });
  expect(await correlate([1, 2, 3, 4], [0.5, 0.5, 0.5, 0.5])).toEqual({ n: 4, rho: null });
  expect(await correlate([], [])).toEqual({ n: 0, rho: null });
});
