import { type Kysely, sql } from 'kysely';

// Follower growth looked up the last observation before each end of a period in the monthly partitioned
// snapshots: every earlier partition was opened for each lookup (≈ 1 of the overview's 4 ms of Postgres
// with 15 months kept, growing with retention). This table keeps each account's first and last
// observation of followers per UTC day (libs/db/src/follower-days.ts); the snapshots are still read for
// the hours of a period's end day. It was filled from the snapshots here; 20261124T0100 replaces it with
// an hourly table filled from the snapshots, so on the way there this one stays empty (and that migration's
// down() creates it again with this up()).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE account_followers_daily (
      tenant_id uuid NOT NULL,
      platform text NOT NULL,
      account_id text NOT NULL,
      day timestamptz NOT NULL CHECK (day = date_bin('1 day', day, timestamptz '2000-01-01 00:00:00+00')),
      first_observed_at timestamptz NOT NULL,
      first_followers bigint NOT NULL,
      last_observed_at timestamptz NOT NULL,
      last_followers bigint NOT NULL,
      PRIMARY KEY (tenant_id, platform, account_id, day),
      CHECK (first_observed_at <= last_observed_at)
    ) WITH (fillfactor = 80)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE account_followers_daily`.execute(db);
}
