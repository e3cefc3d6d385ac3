import { type Kysely, sql } from 'kysely';
import { latestEngagementRate } from '../post-analytics.js';

// Top posts by engagement rate (the overview's top five, the top-posts default) sorted every post of the
// period for a handful of winners. In this order the index hands them over first; the period's bound is
// checked on index entries, so a 30-day period of a year's posts reads a few dozen entries. The cost: a
// change of a post's totals can no longer be a heap-only update.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX post_metrics_latest_engagement_rate_idx ON post_metrics_latest
      (tenant_id, (${latestEngagementRate}) DESC NULLS LAST, published_at DESC, platform, platform_post_id)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX post_metrics_latest_engagement_rate_idx`.execute(db);
}
