import { type Kysely, sql } from 'kysely';
import { allPlatforms } from '../post-analytics.js';

// Most dashboard reads sum every platform: the rollup gains one row per tenant and hour summed over the
// platforms (platform = allPlatforms), so they read one row per hour instead of one per platform.
// The rows are written by 20261123T0500_post_rollup_daily, which rebuilds every rollup: a rebuild here
// would need the daily table that migration creates.
export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM post_rollup_hourly WHERE platform = ${allPlatforms}`.execute(db);
}
