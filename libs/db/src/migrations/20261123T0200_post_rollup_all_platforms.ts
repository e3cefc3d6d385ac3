import { type Kysely, sql } from 'kysely';
import { allPlatforms, rebuildPostAnalytics } from '../post-analytics.js';

// Most dashboard reads sum every platform: the rollup gains one row per tenant and hour summed over the
// platforms (platform = allPlatforms), so they read one row per hour instead of one per platform.
export async function up(db: Kysely<unknown>): Promise<void> {
  await rebuildPostAnalytics(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM post_rollup_hourly WHERE platform = ${allPlatforms}`.execute(db);
}
