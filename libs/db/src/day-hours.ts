import { type RawBuilder, sql } from 'kysely';
import { rollupColumns } from './post-analytics.js';
import { precompiled } from './precompiled.js';

/**
 * `post_rollup_day_hours` keeps, per tenant, platform and UTC day, each column of the hourly rollup as the
 * day's 24 hours in one value: 24 big-endian float8 (exact for the integer sums, which stay below 2^53),
 * hour 0 first. Local days and weekday × hour cells group a period's hours; read as rows that was ≈ 1 µs
 * of Postgres per hour and grouping key (a year: 8,760 hours, most of a yearly overview), read as days it
 * is one row per day and the grouping happens where the bytes arrive. The rows are derived from the
 * hourly rollup only (`refreshDayHours`), never added to, so they cannot drift from it.
 */
export const HOURS_PER_DAY = 24;
export const dayHoursBytes = HOURS_PER_DAY * 8;

const ids = precompiled(sql.join(rollupColumns.map((c) => sql.id(c))));
const vectors = precompiled(
  sql.join(
    rollupColumns.map(
      (c) =>
        sql`string_agg(float8send(coalesce(r.${sql.id(c)}, 0)::float8), ''::bytea ORDER BY h.h) AS ${sql.id(c)}`,
    ),
  ),
);
const replace = precompiled(sql.join(rollupColumns.map((c) => sql`${sql.id(c)} = excluded.${sql.id(c)}`)));

/**
 * Writes the day-hours rows of `keys` (tenant_id, platform, day: UTC days) from the hourly rollup as it is
 * now. A writer calls it in the transaction that changed those days' hours, after the change: it holds the
 * lock of each day's daily rollup row until it commits, so a second writer of the same day refreshes it
 * only after the first committed, and sees its hours.
 */
export function refreshDayHours(keys: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    INSERT INTO post_rollup_day_hours AS d (tenant_id, platform, day, ${ids})
    SELECT k.tenant_id, k.platform, k.day, ${vectors}
    FROM (SELECT DISTINCT tenant_id, platform, day FROM ${keys} AS k) k
    CROSS JOIN generate_series(0, ${sql.lit(HOURS_PER_DAY - 1)}) AS h(h)
    LEFT JOIN post_rollup_hourly r
      ON r.tenant_id = k.tenant_id AND r.platform = k.platform AND r.hour = k.day + make_interval(hours => h.h)
    GROUP BY k.tenant_id, k.platform, k.day
    ORDER BY k.tenant_id, k.day, k.platform
    ON CONFLICT (tenant_id, day, platform) DO UPDATE SET ${replace}`;
}
