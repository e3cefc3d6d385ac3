/** Rounds to 2 decimals for output only; nothing is rounded before aggregating. */
export function round2(value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  return Math.round((value + Number.EPSILON) * 100) / 100;
}

/** num / den × 100, null when nothing is known (den null or 0). */
export function percent(num: number | null, den: number | null): number | null {
  if (num === null || den === null || den === 0) return null;
  return (num / den) * 100;
}

/** One post's engagements (null when likes, comments and shares are all unknown) and rates, rounded. */
export function postRates(m: {
  likes_count: number | null;
  comments_count: number | null;
  shares_count: number | null;
  impressions: number | null;
  clicks: number | null;
}) {
  const eng =
    m.likes_count === null && m.comments_count === null && m.shares_count === null
      ? null
      : (m.likes_count ?? 0) + (m.comments_count ?? 0) + (m.shares_count ?? 0);
  return {
    total_engagement: eng,
    engagement_rate: round2(percent(eng, m.impressions)),
    click_through_rate: round2(percent(m.clicks, m.impressions)),
  };
}

/** Relative change in %, null when the base is unknown or zero. */
export function changePct(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return ((current - previous) / Math.abs(previous)) * 100;
}

/**
 * 95% confidence interval of a ratio estimator R = Σe / Σn over k posts (delta method):
 * Var(R) ≈ Σ(e − R·n)² / (k (k − 1) n̄²), expanded from the sums so SQL can supply them.
 * Bounds are in percent, clamped at 0; null with fewer than two posts.
 */
export function ratioConfidenceInterval(s: {
  k: number;
  sumE: number;
  sumN: number;
  sumE2: number;
  sumN2: number;
  sumEN: number;
}): { low: number; high: number } | null {
  if (s.k < 2 || s.sumN <= 0) return null;
  const r = s.sumE / s.sumN;
  const ss = Math.max(0, s.sumE2 - 2 * r * s.sumEN + r * r * s.sumN2);
  const meanN = s.sumN / s.k;
  const se = Math.sqrt(ss / (s.k * (s.k - 1))) / meanN;
  return { low: Math.max(0, (r - 1.96 * se) * 100), high: (r + 1.96 * se) * 100 };
}
