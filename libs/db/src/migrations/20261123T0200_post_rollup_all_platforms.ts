import { type Kysely, sql } from 'kysely';
import { allPlatforms } from '../post-analytics.js';

// Most dashboard reads sum every platform: the rollup gains one row per tenant and hour summed over the
// platforms (platform = allPlatforms), so they read one row per hour instead of one per platform.
// The rows are written by the rebuild in 20261123T1200_post_rollup_monthly: rebuildPostAnalytics
// works on the newest schema, so only the newest migration that needs it may call it.
export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM post_rollup_hourly WHERE platform = ${allPlatforms}`.execute(db);
}
