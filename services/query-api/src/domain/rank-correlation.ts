import { type RawBuilder, sql } from 'kysely';

/**
 * Spearman's rank correlation of the pairs (x, y) that `pairs` selects (rows with a null are left out),
 * as one row: `n`, the pairs, and `rho`, null with fewer than three pairs or when x or y is constant. It is
 * Pearson's correlation of average ranks (tied values share the mean of their positions), computed in
 * Postgres so that a single row comes back instead of every pair.
 *
 * Sorting is the cost, so only y is ranked row by row (a window over y); x is grouped first, which is cheap
 * when x repeats (text lengths do), and its average rank follows from the group sizes. The sums Pearson
 * needs then come from the groups: Σ r_x·r_y over a group is its x rank times the sum of its y ranks.
 * Ranks are doubled (2r = rank of the first peer + rank of the last), so every sum is an exact integer and
 * a constant x or y has exactly zero variance, not rounding noise. Doubled ranks average n + 1.
 */
export function spearman(pairs: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`WITH ranked AS (
      SELECT x, rank() OVER w + count(*) OVER w AS y2
      FROM (${pairs}) pairs
      WHERE x IS NOT NULL AND y IS NOT NULL
      WINDOW w AS (ORDER BY y)
    ),
    by_x AS (SELECT x, count(*) AS k, sum(y2) AS sy2, sum(y2 * y2) AS syy2 FROM ranked GROUP BY x),
    ranked_x AS (SELECT k, sy2, syy2, 2 * sum(k) OVER (ORDER BY x) - k + 1 AS x2 FROM by_x),
    sums AS (
      SELECT coalesce(sum(k), 0) AS n, sum(x2 * sy2) AS sxy, sum(k * x2 * x2) AS sxx, sum(syy2) AS syy
      FROM ranked_x
    ),
    -- n·mean²: what is subtracted from each sum of products to centre it.
    totals AS (SELECT n, sxy, sxx, syy, n * (n + 1) * (n + 1) AS c FROM sums)
    SELECT n::int AS n,
      CASE WHEN n >= 3 AND sxx > c AND syy > c
        THEN (sxy - c)::float8 / sqrt((sxx - c)::float8 * (syy - c)::float8)
      END AS rho
    FROM totals`;
}
