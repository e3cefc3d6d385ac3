import { describe, expect, it } from 'vitest';
import { bestSlot, bestTimesFrom, MIN_POSTS_PER_SLOT } from '../src/domain/best-times.js';
import type { CellRow } from '../src/domain/groups.js';
import { changePct, percent, ratioConfidenceInterval, round2 } from '../src/domain/math.js';
import { parsePostRef } from '../src/domain/post-detail.js';
import { emptyAggregate, preview } from '../src/domain/post-set.js';
import { decodeCursor, encodeCursor } from '../src/domain/posts.js';
import {
  localDate,
  offsetSegments,
  periodStart,
  periodStarts,
  previousRange,
  resolveRange,
  startOfLocalDay,
} from '../src/domain/time.js';
import { InvalidParameterError } from '../src/errors.js';
import { prng } from './fixtures.js';

describe('preview', () => {
  it('keeps texts of up to 100 characters and cuts longer ones after 100, never inside a character', () => {
    expect(preview(null)).toBeNull();
    expect(preview('a'.repeat(100))).toBe('a'.repeat(100));
    expect(preview('a'.repeat(101))).toBe(`${'a'.repeat(100)}…`);
    // 100 emoji are 200 UTF-16 units and still 100 characters; one more is cut after the hundredth.
    const emoji = '😀'.repeat(100);
    expect(preview(emoji)).toBe(emoji);
    expect(preview(`${emoji}😀 and more`)).toBe(`${emoji}…`);
    expect(preview(`${'a'.repeat(99)}😀😀`)).toBe(`${'a'.repeat(99)}😀…`);
  });
});

describe('math', () => {
  it('rounds only at the edge and keeps null for unknowns', () => {
    expect(round2(1.005)).toBe(1.01);
    expect(round2(null)).toBeNull();
    expect(percent(5, 0)).toBeNull();
    expect(percent(null, 10)).toBeNull();
    expect(percent(1, 3)).toBeCloseTo(33.3333, 3);
    expect(changePct(150, 100)).toBe(50);
    expect(changePct(1, 0)).toBeNull();
  });

  it('gives a ratio confidence interval that contains the estimate and narrows with more posts', () => {
    const posts = (k: number) => {
      const e = Array.from({ length: k }, (_, i) => 10 + (i % 3));
      const n = Array.from({ length: k }, (_, i) => 200 + 10 * (i % 5));
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      return {
        k,
        sumE: sum(e),
        sumN: sum(n),
        sumE2: sum(e.map((x) => x * x)),
        sumN2: sum(n.map((x) => x * x)),
        sumEN: sum(e.map((x, i) => x * (n[i] ?? 0))),
      };
    };
    const small = ratioConfidenceInterval(posts(5));
    const large = ratioConfidenceInterval(posts(500));
    const s = posts(5);
    const r = (s.sumE / s.sumN) * 100;
    expect(small?.low).toBeLessThanOrEqual(r);
    expect(small?.high).toBeGreaterThanOrEqual(r);
    expect((large?.high ?? 0) - (large?.low ?? 0)).toBeLessThan((small?.high ?? 0) - (small?.low ?? 0));
    expect(ratioConfidenceInterval({ ...s, k: 1 })).toBeNull();
  });
});

describe('date ranges in a time zone', () => {
  it('splits a span into segments of one offset, each starting at the zone change to the quarter hour', () => {
    const year = [new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z')] as const;
    const segments = (tz: string) => {
      const s = offsetSegments(...year, tz);
      return s.starts.map((d, i) => [d.toISOString(), s.offsets[i]]);
    };
    expect(segments('Europe/Berlin')).toEqual([
      ['2026-01-01T00:00:00.000Z', 3600],
      ['2026-03-29T01:00:00.000Z', 7200],
      ['2026-10-25T01:00:00.000Z', 3600],
    ]);
    // Lord Howe Island moves by half an hour.
    expect(segments('Australia/Lord_Howe')).toEqual([
      ['2026-01-01T00:00:00.000Z', 39600],
      ['2026-04-04T15:00:00.000Z', 37800],
      ['2026-10-03T15:30:00.000Z', 39600],
    ]);
    expect(segments('Asia/Kolkata')).toEqual([['2026-01-01T00:00:00.000Z', 19800]]);
  });

  const now = new Date('2026-04-01T10:00:00Z');

  it('defaults to the last 30 local days ending today', () => {
    const r = resolveRange({}, 'Europe/Berlin', now);
    expect(r).toMatchObject({ start_date: '2026-03-03', end_date: '2026-04-01', days: 30 });
  });

  it('cuts days at local midnight across a DST change', () => {
    expect(startOfLocalDay('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfLocalDay('2026-03-30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(startOfLocalDay('2026-11-01', 'America/New_York').toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(startOfLocalDay('2026-11-02', 'America/New_York').toISOString()).toBe('2026-11-02T05:00:00.000Z');
    expect(localDate(new Date('2026-03-31T22:30:00Z'), 'Europe/Berlin')).toBe('2026-04-01');
  });

  it('gives the preceding period of equal length', () => {
    const r = resolveRange({ start_date: '2026-03-01', end_date: '2026-03-31' }, 'UTC', now);
    expect(previousRange(r)).toMatchObject({ start_date: '2026-01-29', end_date: '2026-02-28', days: 31 });
    expect(previousRange(r).to).toEqual(r.from);
  });

  it('rejects an end before the start and ranges over 366 days, naming end_date', () => {
    expect(() => resolveRange({ start_date: '2026-03-02', end_date: '2026-03-01' }, 'UTC', now)).toThrow(
      InvalidParameterError,
    );
    expect(() => resolveRange({ start_date: '2025-01-01', end_date: '2026-01-02' }, 'UTC', now)).toThrow(
      /end_date.*367/,
    );
    expect(resolveRange({ start_date: '2024-01-01', end_date: '2024-12-31' }, 'UTC', now).days).toBe(366);
  });

  it('starts weeks on Monday and months on the 1st', () => {
    expect(periodStart('2026-03-01', 'weekly')).toBe('2026-02-23');
    expect(periodStart('2026-03-02', 'weekly')).toBe('2026-03-02');
    expect(periodStart('2026-03-17', 'monthly')).toBe('2026-03-01');
    const r = resolveRange({ start_date: '2026-01-15', end_date: '2026-03-02' }, 'UTC', now);
    expect(periodStarts(r, 'monthly')).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
  });
});

describe('best times', () => {
  const cell = (dow: number, hour: number, k: number, e: number, n: number): CellRow => ({
    ...emptyAggregate,
    dow,
    hour,
    posts: k,
    k,
    er_num: e,
    er_den: n,
    e2: (e * e) / k,
    n2: (n * n) / k,
    en: (e * n) / k,
  });

  it('recommends only cells with enough posts, best first', () => {
    const result = bestTimesFrom([
      cell(2, 14, MIN_POSTS_PER_SLOT - 1, 90, 100), // highest rate, too few posts
      cell(1, 9, MIN_POSTS_PER_SLOT, 10, 100),
      cell(3, 18, MIN_POSTS_PER_SLOT + 2, 20, 100),
    ]);
    expect(result.grid).toHaveLength(168);
    expect(result.recommendations.map((r) => [r.day_of_week, r.hour_of_day])).toEqual([
      ['Wednesday', 18],
      ['Monday', 9],
    ]);
    expect(result.by_day_of_week[1]?.posts).toBe(MIN_POSTS_PER_SLOT - 1);
  });

  it('picks the overview’s best slot as the first recommendation, ties included', () => {
    const rnd = prng(5);
    for (let round = 0; round < 50; round++) {
      // Few distinct rates and counts, so ties on rate, interval and posts are common.
      const cells = Array.from({ length: 168 }, (_, how) => how)
        .filter(() => rnd() < 0.6)
        .map((how) => {
          const k = MIN_POSTS_PER_SLOT - 2 + Math.floor(rnd() * 5);
          return cell((how % 7) + 1, how % 24, k, 10 * k * (1 + Math.floor(rnd() * 3)), 100 * k);
        });
      expect(bestSlot(cells)).toEqual(bestTimesFrom(cells).recommendations[0]);
    }
    expect(bestSlot([])).toBeUndefined();
  });
});

describe('ids and cursors', () => {
  it('parses our id and platform:platform_post_id, and rejects anything else naming post_id', () => {
    expect(parsePostRef('0A8E4C1E-1111-4111-8111-111111111111')).toEqual({
      id: '0a8e4c1e-1111-4111-8111-111111111111',
    });
    expect(parsePostRef('linkedin:urn:li:share:1')).toEqual({
      platform: 'linkedin',
      platform_post_id: 'urn:li:share:1',
    });
    expect(() => parsePostRef('myspace:1')).toThrow(/post_id/);
    expect(() => parsePostRef('twitter:')).toThrow(/post_id/);
  });

  it('round-trips cursors and rejects tampered ones naming cursor', () => {
    const c = { published_at: '2026-03-01T10:00:00.000Z', id: '0a8e4c1e-1111-4111-8111-111111111111' };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(() => decodeCursor('nope')).toThrow(/cursor/);
    expect(() => decodeCursor(Buffer.from('["x","y"]').toString('base64url'))).toThrow(/cursor/);
  });
});
