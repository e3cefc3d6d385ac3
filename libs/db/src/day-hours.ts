import { type Kysely, type RawBuilder, sql } from 'kysely';
import { allPlatforms, type RollupColumn } from './post-analytics.js';
import { precompiled } from './precompiled.js';
import type { Database } from './schema.js';

/**
 * `post_rollup_day_hours` keeps, per tenant and UTC day, some columns of the hourly rollup's rows summed
 * over the platforms, each as the day's 24 hours in one value: 24 big-endian float8 (exact for the integer
 * sums, which stay below 2^53), hour 0 first. Local days and weekday × hour cells group a period's hours;
 * read as rows that was ≈ 1 µs of Postgres per hour and grouping (a year: 8,760 hours, most of a yearly
 * overview's time); read as days it is one row per day, grouped where the bytes arrive. The columns are
 * those of the dashboard's engagement trends and best times (engagement-rate parts, posts and the
 * confidence interval's sums): a row is ≈ 1.4 kB and every changed hour rewrites it, so the other
 * metrics and single platforms are grouped from the hourly rows.
 */
export const dayHoursColumns = [
  'posts',
  'k',
  'er_num',
  'er_den',
  'e2',
  'n2',
  'en',
] as const satisfies readonly RollupColumn[];
export type DayHoursColumn = (typeof dayHoursColumns)[number];
export const HOURS_PER_DAY = 24;
export const dayHoursBytes = HOURS_PER_DAY * 8;

const ids = precompiled(sql.join(dayHoursColumns.map((c) => sql.id(c))));
const zeros = precompiled(
  sql.join(dayHoursColumns.map(() => sql`decode(repeat('00', ${sql.lit(dayHoursBytes)}), 'hex')`)),
);

/**
 * Writes the day-hours rows of `keys` (tenant_id, day: UTC days) whole, from the hourly rollup as it is now:
 * for a rebuild.
 */
export function refreshDayHours(keys: RawBuilder<unknown>): RawBuilder<unknown> {
  const vectors = sql.join(
    dayHoursColumns.map(
      (c) => sql`string_agg(float8send(coalesce(r.${sql.id(c)}, 0)::float8), ''::bytea ORDER BY h.h)`,
    ),
  );
  return sql`
    INSERT INTO post_rollup_day_hours AS d (tenant_id, day, ${ids})
    SELECT k.tenant_id, k.day, ${vectors}
    FROM (SELECT DISTINCT tenant_id, day FROM ${keys} AS k) k
    CROSS JOIN generate_series(0, ${sql.lit(HOURS_PER_DAY - 1)}) AS h(h)
    LEFT JOIN post_rollup_hourly r ON r.tenant_id = k.tenant_id AND r.platform = ${allPlatforms}
      AND r.hour = k.day + make_interval(hours => h.h)
    GROUP BY k.tenant_id, k.day
    ORDER BY k.tenant_id, k.day
    ON CONFLICT (tenant_id, day) DO UPDATE SET ${sql.join(dayHoursColumns.map((c) => sql`${sql.id(c)} = excluded.${sql.id(c)}`))}`;
}

/** Each column's hour `u.h` replaced by the value of hourly row `r`. */
const patch = precompiled(
  sql.join(
    dayHoursColumns.map(
      (c) =>
        sql`${sql.id(c)} = overlay(d.${sql.id(c)} placing float8send(r.${sql.id(c)}::float8) from u.h * 8 + 1)`,
    ),
  ),
);

/**
 * Copies the values of the hourly rollup rows over all platforms at `hours` (tenant and UTC hour; rows the
 * caller just wrote) into their day-hours rows, adding rows of zeros for new days. Run in the transaction
 * that wrote the hourly rows, after it: that transaction holds their locks, so their values are final
 * until it commits, and each copy replaces only its own hour of a row that concurrent writers may patch
 * at other hours (an UPDATE works on the row's newest version). An UPDATE can change a row once, so a
 * day's hours go in rounds: the first of each day, then the second, and so on.
 */
export async function patchDayHours(
  db: Kysely<Database>,
  hours: readonly { tenant_id: string; hour: Date }[],
): Promise<void> {
  if (hours.length === 0) return;
  const rounds: { tenant_id: string; day: Date; h: number }[][] = [];
  const seen = new Map<string, number>();
  for (const { tenant_id, hour } of hours) {
    const dayMs = Math.floor(hour.getTime() / 86_400_000) * 86_400_000;
    const key = `${tenant_id} ${dayMs}`;
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    if (round === rounds.length) rounds.push([]);
    rounds[round]?.push({ tenant_id, day: new Date(dayMs), h: (hour.getTime() - dayMs) / 3_600_000 });
  }
  const first = rounds[0] ?? [];
  // aggregator: day-hours rows for new days
  await sql`INSERT INTO post_rollup_day_hours (tenant_id, day, ${ids})
    SELECT DISTINCT tenant_id, day, ${zeros}
    FROM unnest(${first.map((p) => p.tenant_id)}::uuid[], ${first.map((p) => p.day)}::timestamptz[]) AS k(tenant_id, day)
    ORDER BY tenant_id, day
    ON CONFLICT DO NOTHING`.execute(db);
  for (const round of rounds) {
    // aggregator: copy written hours into their day-hours rows
    await sql`UPDATE post_rollup_day_hours d SET ${patch}
      FROM unnest(${round.map((p) => p.tenant_id)}::uuid[], ${round.map((p) => p.day)}::timestamptz[],
        ${round.map((p) => p.h)}::int[]) AS u(tenant_id, day, h)
      JOIN post_rollup_hourly r ON r.tenant_id = u.tenant_id AND r.platform = ${allPlatforms}
        AND r.hour = u.day + make_interval(hours => u.h)
      WHERE d.tenant_id = u.tenant_id AND d.day = u.day`.execute(db);
  }
}
