import { expect, it } from 'vitest';
import { spearman } from '../src/domain/rank-correlation.js';

const correlate = (xs: readonly number[], ys: readonly number[]) =>
  spearman(Float64Array.from(xs), Float64Array.from(ys));

it('computes Spearman rho as a textbook example does', () => {
  // Classic example: IQ vs hours of TV (Wikipedia), rho = −29/165 ≈ −0.1758.
  const iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110];
  const tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17];
  expect(correlate(iq, tv)).toEqual({ n: 10, rho: expect.closeTo(-29 / 165, 12) });
  expect(correlate([1, 2, 3, 4], [10, 20, 30, 40]).rho).toBeCloseTo(1, 12);
  expect(correlate([1, 2, 3, 4], [40, 30, 20, 10]).rho).toBeCloseTo(-1, 12);
});

it('gives tied values the mean of their ranks, in either variable', () => {
  // Ranks x: 1, 2.5, 2.5, 4 and y: 1.5, 3, 1.5, 4; Pearson on them is 3.75 / 4.5.
  expect(correlate([10, 20, 20, 30], [5, 7, 5, 9]).rho).toBeCloseTo(5 / 6, 12);
  expect(correlate([5, 7, 5, 9], [10, 20, 20, 30]).rho).toBeCloseTo(5 / 6, 12);
  // −0 is 0.
  expect(correlate([10, 20, 20, 30], [0, 7, -0, 9]).rho).toBeCloseTo(5 / 6, 12);
});

it('agrees with Pearson on average ranks computed naively, for many ties', () => {
  const xs = Array.from({ length: 500 }, (_, i) => (i * 37) % 23);
  const ys = Array.from({ length: 500 }, (_, i) => ((i * 53) % 17) / 7);
  const ranks = (v: number[]) => {
    const sorted = [...v].sort((a, b) => a - b);
    return v.map((x) => (sorted.indexOf(x) + sorted.lastIndexOf(x)) / 2 + 1);
  };
  const rx = ranks(xs);
  const ry = ranks(ys);
  const mean = (xs.length + 1) / 2;
  const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + (v - mean) * ((b[i] ?? 0) - mean), 0);
  const expected = dot(rx, ry) / Math.sqrt(dot(rx, rx) * dot(ry, ry));
  expect(correlate(xs, ys).rho).toBeCloseTo(expected, 12);
  // Integers ranked by counting give the same ranks as sorting.
  expect(spearman(Int32Array.from(xs), Float64Array.from(ys)).rho).toBeCloseTo(expected, 12);
  expect(spearman(Int32Array.from(xs), Int32Array.from(xs)).rho).toBe(1);
});

it('ranks integers by counting as it ranks them by sorting, and refuses negative ones', () => {
  const lengths = [0, 7, 7, 3, 100_000, 3, 3, 12];
  const rates = [0.5, 0.1, 0.1, 0.25, 0.01, 0.3, 0.2, 0.05];
  expect(spearman(Int32Array.from(lengths), Float64Array.from(rates))).toEqual(correlate(lengths, rates));
  expect(() => spearman(Int32Array.from([1, -2, 3]), Float64Array.from([1, 2, 3]))).toThrow(/negative/);
});

it('is null when undefined: fewer than three pairs, or a constant variable', () => {
  expect(correlate([1, 2], [2, 1])).toEqual({ n: 2, rho: null });
  expect(correlate([1, 1, 1, 1], [1, 2, 3, 4])).toEqual({ n: 4, rho: null });
  expect(correlate([1, 2, 3, 4], [0.5, 0.5, 0.5, 0.5])).toEqual({ n: 4, rho: null });
  expect(correlate([], [])).toEqual({ n: 0, rho: null });
  expect(() => correlate([1, 2, 3], [1, 2])).toThrow(/differ in length/);
});
