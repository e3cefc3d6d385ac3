import { type Kysely, sql } from 'kysely';

// Totals over a period (the overview's summary, its previous period, the per-platform figures) summed a
// month of hourly rows per platform, a year of them for a yearly range. The aggregator now also keeps the
// same sums per UTC day: a period reads its whole UTC days here and only the hours at its two ends from
// the hourly rollup. Local days, weeks and weekday × hour cells still read hours. The columns are the
// hourly rollup's, copied from it (LIKE), with `hour` renamed to `day`.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE post_rollup_daily (LIKE post_rollup_hourly INCLUDING DEFAULTS) WITH (fillfactor = 80)`.execute(
    db,
  );
  await sql`ALTER TABLE post_rollup_daily RENAME COLUMN hour TO day`.execute(db);
  await sql`ALTER TABLE post_rollup_daily
    ADD CONSTRAINT post_rollup_daily_day_check
      CHECK (day = date_bin('1 day', day, timestamptz '2000-01-01 00:00:00+00')),
    ADD PRIMARY KEY (tenant_id, day, platform)`.execute(db);
  // Filled by the rebuild in 20261123T1200_post_rollup_monthly.
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE post_rollup_daily`.execute(db);
}
