import { type Kysely, sql } from 'kysely';
import { countedRollupMetrics } from '../post-analytics.js';

// Dashboard reads must not scan every post of a period: the aggregator keeps, per tenant, platform and
// UTC hour of publication, the sums of the latest totals of the posts published in it, and per tenant
// and platform the newest observation. A UTC hour is a local hour in every zone with whole-hour offsets,
// so local days and weekday × hour cells are unions of these rows.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Per-post reads select a period's posts here (narrow rows) and join `posts` only for what they show.
  await sql`ALTER TABLE post_metrics_latest ADD COLUMN published_at timestamptz`.execute(db);
  await sql`CREATE INDEX post_metrics_latest_published_idx ON post_metrics_latest (tenant_id, published_at)`.execute(
    db,
  );
  // Every column is a sum over the hour's posts (see rollupColumns in post-analytics.ts); `<metric>_n`
  // counts the posts that reported the metric, so "not reported" survives summing.
  const counts = sql.raw(
    countedRollupMetrics
      .map((m) => `${m} bigint NOT NULL DEFAULT 0, ${m}_n int NOT NULL DEFAULT 0`)
      .join(',\n      '),
  );
  await sql`
    CREATE TABLE post_rollup_hourly (
      tenant_id uuid NOT NULL,
      platform text NOT NULL,
      hour timestamptz NOT NULL CHECK (hour = date_bin('1 hour', hour, timestamptz '2000-01-01 00:00:00+00')),
      posts int NOT NULL DEFAULT 0,
      ${counts},
      er_num bigint NOT NULL DEFAULT 0, er_den bigint NOT NULL DEFAULT 0,
      ctr_num bigint NOT NULL DEFAULT 0, ctr_den bigint NOT NULL DEFAULT 0,
      k int NOT NULL DEFAULT 0, e2 float8 NOT NULL DEFAULT 0, n2 float8 NOT NULL DEFAULT 0,
      en float8 NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, hour, platform)
    ) WITH (fillfactor = 80)`.execute(db);
  await sql`
    CREATE TABLE post_freshness (
      tenant_id uuid NOT NULL,
      platform text NOT NULL,
      last_observed_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, platform)
    )`.execute(db);
  // The rows are written by the rebuild in 20261123T1200_post_rollup_monthly: rebuildPostAnalytics
  // works on the newest schema, so only the newest migration that needs it may call it.
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE post_freshness`.execute(db);
  await sql`DROP TABLE post_rollup_hourly`.execute(db);
  await sql`ALTER TABLE post_metrics_latest DROP COLUMN published_at`.execute(db);
}
