import { type Kysely, sql } from 'kysely';
import { rebuildFollowerHours } from '../rebuild.js';
import * as accountFollowersDaily from './20261123T0800_account_followers_daily.js';

// Follower growth looked up, per account, the last observation before each end of a period: in the
// snapshots within the end's UTC day, else in `account_followers_daily`. Each lookup passed the index
// entries of its (tenant, platform, account) range, comparing their text keys: the overview's two periods
// cost ≈ 0.5 ms of Postgres. Kept per UTC hour instead, an end on the hour (every local midnight of a zone
// with whole-hour offsets) is one lookup here, by a fixed-width hash of the account
// (libs/db/src/follower-hours.ts); the snapshots are read only within an end's own hour otherwise.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE account_followers_hourly (
      tenant_id uuid NOT NULL,
      platform text NOT NULL,
      account_id text NOT NULL,
      hour timestamptz NOT NULL CHECK (hour = date_bin('1 hour', hour, timestamptz '2000-01-01 00:00:00+00')),
      first_observed_at timestamptz NOT NULL,
      first_followers bigint NOT NULL,
      last_observed_at timestamptz NOT NULL,
      last_followers bigint NOT NULL,
      account_key bigint NOT NULL GENERATED ALWAYS AS (hashtextextended(platform || ':' || account_id, 0)) STORED,
      PRIMARY KEY (tenant_id, platform, account_id, hour),
      CHECK (first_observed_at <= last_observed_at)
    ) WITH (fillfactor = 80)`.execute(db);
  await sql`CREATE INDEX account_followers_hourly_lookup_idx
    ON account_followers_hourly (tenant_id, account_key, hour)`.execute(db);
  await rebuildFollowerHours(db);
  await sql`DROP TABLE account_followers_daily`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await accountFollowersDaily.up(db);
  // The hours' first and last observations are the days' too.
  await sql`
    INSERT INTO account_followers_daily
    SELECT tenant_id, platform, account_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00') AS day,
      min(first_observed_at), (array_agg(first_followers ORDER BY first_observed_at))[1],
      max(last_observed_at), (array_agg(last_followers ORDER BY last_observed_at DESC))[1]
    FROM account_followers_hourly GROUP BY tenant_id, platform, account_id, day`.execute(db);
  await sql`DROP TABLE account_followers_hourly`.execute(db);
}
