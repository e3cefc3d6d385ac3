import { type RawBuilder, sql } from 'kysely';
import { utcDay } from './post-analytics.js';

// Per account and UTC day, the day's first and last observation of followers (`account_followers_daily`).
// Follower growth needs the last observation before an instant: in the monthly partitioned snapshots that
// is a search of every earlier partition (each one opened when the statement starts, whatever it finds),
// here one index lookup, with the snapshots read only inside the instant's own UTC day.

const followerDayColumns = [
  'tenant_id',
  'platform',
  'account_id',
  'day',
  'first_observed_at',
  'first_followers',
  'last_observed_at',
  'last_followers',
] as const;

/**
 * Upserts the days of the snapshot rows in `source` (rows with tenant_id, platform, account_id,
 * observed_at, followers_count): a day's first observation moves only to an earlier one and its last only
 * to a later one, so writes commute and a repeated one changes nothing. Two observations at the same
 * instant keep the one written first, as the snapshots do (ON CONFLICT DO NOTHING).
 */
export function upsertFollowerDays(source: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    INSERT INTO account_followers_daily AS d (${sql.join(followerDayColumns.map((c) => sql.id(c)))})
    SELECT tenant_id, platform, account_id, ${utcDay(sql`observed_at`)} AS day,
      min(observed_at), (array_agg(followers_count ORDER BY observed_at))[1],
      max(observed_at), (array_agg(followers_count ORDER BY observed_at DESC))[1]
    FROM (${source}) s
    WHERE followers_count IS NOT NULL
    GROUP BY tenant_id, platform, account_id, day
    ON CONFLICT (tenant_id, platform, account_id, day) DO UPDATE SET
      first_observed_at = least(d.first_observed_at, excluded.first_observed_at),
      first_followers = CASE WHEN excluded.first_observed_at < d.first_observed_at
        THEN excluded.first_followers ELSE d.first_followers END,
      last_observed_at = greatest(d.last_observed_at, excluded.last_observed_at),
      last_followers = CASE WHEN excluded.last_observed_at > d.last_observed_at
        THEN excluded.last_followers ELSE d.last_followers END
    WHERE excluded.first_observed_at < d.first_observed_at OR excluded.last_observed_at > d.last_observed_at`;
}
