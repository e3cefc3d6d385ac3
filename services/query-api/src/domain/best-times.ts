import type { DomainContext } from '../context.js';
import { type CellRow, measureGroups } from './groups.js';
import { percent, ratioConfidenceInterval, round2 } from './math.js';
import type { PostFilter } from './post-set.js';
import { offsetSegments } from './time.js';

export const weekdays = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
] as const;
/** A slot is recommended only if at least this many posts with known impressions were published in it. */
export const MIN_POSTS_PER_SLOT = 5;

interface Acc {
  posts: number;
  k: number;
  e: number;
  n: number;
  e2: number;
  n2: number;
  en: number;
}

const empty = (): Acc => ({ posts: 0, k: 0, e: 0, n: 0, e2: 0, n2: 0, en: 0 });

function add(a: Acc, r: CellRow): void {
  a.posts += r.posts;
  a.k += r.k;
  a.e += r.er_num ?? 0;
  a.n += r.er_den ?? 0;
  a.e2 += r.e2 ?? 0;
  a.n2 += r.n2 ?? 0;
  a.en += r.en ?? 0;
}

function stats(a: Acc) {
  const ci = ratioConfidenceInterval({ k: a.k, sumE: a.e, sumN: a.n, sumE2: a.e2, sumN2: a.n2, sumEN: a.en });
  return {
    posts: a.posts,
    posts_with_impressions: a.k,
    engagement_rate: round2(percent(a.k > 0 ? a.e : null, a.k > 0 ? a.n : null)),
    confidence_interval: ci ? { low: round2(ci.low), high: round2(ci.high), level: 0.95 } : null,
  };
}

export type SlotStats = ReturnType<typeof stats>;
type Slot = { day_of_week: (typeof weekdays)[number]; hour_of_day: number } & SlotStats;

/** Recommendable: enough posts with impressions, and a known rate. */
const eligible = (s: SlotStats) =>
  s.posts_with_impressions >= MIN_POSTS_PER_SLOT && s.engagement_rate !== null;

/** Best first: rate, then the interval's lower end, posts, weekday and hour (so ties never reorder). */
const bestFirst = (a: Slot, b: Slot) =>
  (b.engagement_rate ?? 0) - (a.engagement_rate ?? 0) ||
  (b.confidence_interval?.low ?? 0) - (a.confidence_interval?.low ?? 0) ||
  b.posts - a.posts ||
  weekdays.indexOf(a.day_of_week) - weekdays.indexOf(b.day_of_week) ||
  a.hour_of_day - b.hour_of_day;

export function bestTimesFrom(rows: readonly CellRow[]) {
  const byDay = weekdays.map(() => empty());
  const byHour = Array.from({ length: 24 }, empty);
  const grid = weekdays.map(() => Array.from({ length: 24 }, empty));
  for (const r of rows) {
    const d = r.dow - 1;
    const day = byDay[d];
    const hour = byHour[r.hour];
    const cell = grid[d]?.[r.hour];
    if (day) add(day, r);
    if (hour) add(hour, r);
    if (cell) add(cell, r);
  }
  const cells: Slot[] = grid.flatMap((hours, d) =>
    hours.map((a, h) => ({ day_of_week: weekdays[d] ?? 'Monday', hour_of_day: h, ...stats(a) })),
  );
  return {
    min_posts_per_slot: MIN_POSTS_PER_SLOT,
    by_day_of_week: byDay.map((a, d) => ({ day_of_week: weekdays[d] ?? 'Monday', ...stats(a) })),
    by_hour_of_day: byHour.map((a, h) => ({ hour_of_day: h, ...stats(a) })),
    grid: cells,
    recommendations: cells.filter(eligible).sort(bestFirst).slice(0, 3),
  };
}

/**
 * The first recommendation of `bestTimesFrom`, or undefined, without the rest of its grid (the overview
 * shows only this): each row is one weekday × hour cell, as `groupsPart` returns them.
 */
export function bestSlot(rows: readonly CellRow[]): Slot | undefined {
  let best: Slot | undefined;
  for (const r of rows) {
    if (r.k < MIN_POSTS_PER_SLOT) continue;
    const a = empty();
    add(a, r);
    const slot: Slot = { day_of_week: weekdays[r.dow - 1] ?? 'Monday', hour_of_day: r.hour, ...stats(a) };
    if (eligible(slot) && (!best || bestFirst(slot, best) < 0)) best = slot;
  }
  return best;
}

export async function bestTimes(ctx: DomainContext, filter: PostFilter) {
  const { cells } = await measureGroups(ctx, filter, {
    cells: offsetSegments(filter.from, filter.to, ctx.timezone),
  });
  return bestTimesFrom(cells);
}
