import { monthKey, monthStart } from '@postpulse/db';
import { expect, it } from 'vitest';
import { pickPerKey } from '../src/keys.js';

it('keeps the preferred item per key, sorted by key', () => {
  const items = [
    { k: 'b', v: 1 },
    { k: 'a', v: 5 },
    { k: 'b', v: 3 },
    { k: 'a', v: 2 },
  ];
  expect(
    pickPerKey(
      items,
      (i) => i.k,
      (x, y) => x.v > y.v,
    ),
  ).toEqual([
    { k: 'a', v: 5 },
    { k: 'b', v: 3 },
  ]);
  expect(
    pickPerKey(
      items,
      (i) => i.k,
      () => false,
    ),
  ).toEqual([
    { k: 'a', v: 5 },
    { k: 'b', v: 1 },
  ]);
});

it('maps instants to UTC months and back', () => {
  expect(monthKey(new Date('2026-12-31T23:59:59.999Z'))).toBe(202612);
  expect(monthKey(new Date('2027-01-01T00:30:00+01:00'))).toBe(202612);
  expect(monthStart(202612).toISOString()).toBe('2026-12-01T00:00:00.000Z');
});
