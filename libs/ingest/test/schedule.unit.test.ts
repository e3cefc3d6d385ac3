import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LADDER_SPEC, mappingMarkdown, nextRefreshAt, parseLadder } from '../src/index.js';

const H = 3_600_000;
const D = 24 * H;

describe('age ladder', () => {
  const ladder = parseLadder(DEFAULT_LADDER_SPEC);
  it('hourly to day 1, 6-hourly to day 7, daily to day 30, weekly to day 90, then stop', () => {
    expect(nextRefreshAt(0, 2 * H, ladder)).toBe(3 * H);
    expect(nextRefreshAt(0, 2 * D, ladder)).toBe(2 * D + 6 * H);
    expect(nextRefreshAt(0, 10 * D, ladder)).toBe(11 * D);
    expect(nextRefreshAt(0, 40 * D, ladder)).toBe(47 * D);
    expect(nextRefreshAt(0, 90 * D, ladder)).toBeNull();
  });
  it('rejects malformed ladders', () => {
    expect(() => parseLadder('7d:6h,1d:1h')).toThrow(/ascending/);
    expect(() => parseLadder('1x:1h')).toThrow(/invalid duration/);
    expect(() => parseLadder('')).toThrow(/at least one/);
  });
});

it('the README carries the mapping table the code uses', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  expect(readme).toContain(mappingMarkdown());
});
