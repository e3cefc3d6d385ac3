import { type Kysely, sql } from 'kysely';

// Content analysis joined every post of a period to its latest row for three columns: the join was most
// of its cost (≈ 13 of 35 ms for a month of 100 k posts a year). The latest rows now carry copies of them,
// kept by the aggregator like published_at. The rebuild in 20261123T1200_post_rollup_monthly copies
// them for existing rows: rebuildPostAnalytics works on the newest schema, so only the newest migration
// that needs it may call it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE post_metrics_latest
    ADD COLUMN content_type text, ADD COLUMN text_length int, ADD COLUMN hashtag_keys text[]`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE post_metrics_latest
    DROP COLUMN content_type, DROP COLUMN text_length, DROP COLUMN hashtag_keys`.execute(db);
}
