import { type Kysely, sql } from 'kysely';
import { dayHoursBytes, dayHoursColumns } from '../day-hours.js';

// A yearly overview grouped ≈ 8,650 hourly rollup rows into local days and weekday × hour cells: ≈ 1 µs
// of Postgres per row and grouping, 11–25 ms a request. This table holds the hours of the rows summed over
// the platforms one row per UTC day (each column as its 24 values, see day-hours.ts): a year is 365 rows,
// grouped by the API. Every hour the aggregator changes rewrites its day's row (≈ 1.4 kB): half of each
// page is left free so the new version can stay on it.
export async function up(db: Kysely<unknown>): Promise<void> {
  const columns = sql.join(
    dayHoursColumns.map(
      (c) => sql`${sql.id(c)} bytea NOT NULL CHECK (length(${sql.id(c)}) = ${sql.lit(dayHoursBytes)})`,
    ),
  );
  await sql`
    CREATE TABLE post_rollup_day_hours (
      tenant_id uuid NOT NULL,
      day timestamptz NOT NULL CHECK (day = date_bin('1 day', day, timestamptz '2000-01-01 00:00:00+00')),
      ${columns},
      PRIMARY KEY (tenant_id, day)
    ) WITH (fillfactor = 50)`.execute(db);
  // Filled by the rebuild in 20261123T1200_post_rollup_monthly.
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE post_rollup_day_hours`.execute(db);
}
