import { type Kysely, sql } from 'kysely';
import { countedRollupMetrics } from '../post-analytics.js';

// Totals over a period (the overview's summary, its previous period, the per-platform figures) summed a
// month of hourly rows per platform, a year of them for a yearly range. The aggregator now also keeps the
// same sums per UTC day: a period reads its whole UTC days here and only the hours at its two ends from
// the hourly rollup. Local days, weeks and weekday × hour cells still read hours.
export async function up(db: Kysely<unknown>): Promise<void> {
  const counts = sql.raw(
    countedRollupMetrics
      .map((m) => `${m} bigint NOT NULL DEFAULT 0, ${m}_n int NOT NULL DEFAULT 0`)
      .join(',\n      '),
  );
  await sql`
    CREATE TABLE post_rollup_daily (
      tenant_id uuid NOT NULL,
      platform text NOT NULL,
      day timestamptz NOT NULL CHECK (day = date_bin('1 day', day, timestamptz '2000-01-01 00:00:00+00')),
      posts int NOT NULL DEFAULT 0,
      ${counts},
      er_num bigint NOT NULL DEFAULT 0, er_den bigint NOT NULL DEFAULT 0,
      ctr_num bigint NOT NULL DEFAULT 0, ctr_den bigint NOT NULL DEFAULT 0,
      k int NOT NULL DEFAULT 0, e2 float8 NOT NULL DEFAULT 0, n2 float8 NOT NULL DEFAULT 0,
      en float8 NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, day, platform)
    ) WITH (fillfactor = 80)`.execute(db);
  // Filled by the rebuild in 20261123T0600_latest_content_columns.
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE post_rollup_daily`.execute(db);
}
