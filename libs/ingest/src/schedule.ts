// The age ladder: how often a post is refreshed as it ages, and when it stops.

export interface LadderStep {
  /** Applies while the post is younger than this (ms since publication). */
  untilMs: number;
  everyMs: number;
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

function duration(s: string): number {
  const m = /^(\d+)([mhdw])$/.exec(s.trim());
  const unit = m?.[2] ? UNITS[m[2]] : undefined;
  if (!m?.[1] || unit === undefined) throw new Error(`invalid duration "${s}" (use e.g. 30m, 6h, 7d, 1w)`);
  return Number(m[1]) * unit;
}

/** Hourly in the first day, every 6 h to day 7, daily to day 30, weekly to day 90, then stop. */
export const DEFAULT_LADDER_SPEC = '1d:1h,7d:6h,30d:1d,90d:7d';

/** `1d:1h,7d:6h,…` (until:every, ascending) → steps. */
export function parseLadder(spec: string): LadderStep[] {
  const steps = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const [until, every] = part.split(':');
      if (!until || !every) throw new Error(`invalid ladder step "${part}" (use until:every)`);
      return { untilMs: duration(until), everyMs: duration(every) };
    });
  if (steps.length === 0) throw new Error('the refresh ladder needs at least one step');
  steps.forEach((s, i) => {
    const prev = steps[i - 1];
    if (prev && s.untilMs <= prev.untilMs) throw new Error('ladder steps must be in ascending age order');
  });
  return steps;
}

/** The step for a post of this age, or null once the ladder is over. */
export function stepFor(ageMs: number, ladder: readonly LadderStep[]): LadderStep | null {
  return ladder.find((s) => ageMs < s.untilMs) ?? null;
}

/** When to refresh next after refreshing at `now`, or null: the post is done. */
export function nextRefreshAt(
  publishedAt: number,
  now: number,
  ladder: readonly LadderStep[],
): number | null {
  const step = stepFor(Math.max(0, now - publishedAt), ladder);
  return step ? now + step.everyMs : null;
}

/** The oldest post age the ladder still refreshes. */
export const ladderHorizon = (ladder: readonly LadderStep[]): number =>
  ladder[ladder.length - 1]?.untilMs ?? 0;
