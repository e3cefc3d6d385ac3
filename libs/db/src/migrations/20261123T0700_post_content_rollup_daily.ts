import { type Kysely, sql } from 'kysely';
import { contentDimensions } from '../content-rollup.js';

// Content analysis grouped every post of a period by content type, length bucket and hashtag per request
// (≈ 11 of 18 ms of Postgres for a month of 100 k posts a year). The aggregator now keeps those sums per
// tenant, platform, UTC day of publication and key, like the daily rollup; a period reads its whole UTC
// days here and only the posts of the hours at its two ends. The columns are the content rollup's
// (contentRollupColumns in content-rollup.ts). The key comes after the platform and day, so a period's
// rows of one platform (or of all) are one range of the primary key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE post_content_rollup_daily (
      tenant_id uuid NOT NULL,
      platform text NOT NULL,
      day timestamptz NOT NULL CHECK (day = date_bin('1 day', day, timestamptz '2000-01-01 00:00:00+00')),
      dimension text NOT NULL CHECK (dimension IN (${sql.join(contentDimensions.map((d) => sql.lit(d)))})),
      key text NOT NULL,
      posts int NOT NULL DEFAULT 0,
      likes_count bigint NOT NULL DEFAULT 0, likes_count_n int NOT NULL DEFAULT 0,
      comments_count bigint NOT NULL DEFAULT 0, comments_count_n int NOT NULL DEFAULT 0,
      shares_count bigint NOT NULL DEFAULT 0, shares_count_n int NOT NULL DEFAULT 0,
      impressions bigint NOT NULL DEFAULT 0, impressions_n int NOT NULL DEFAULT 0,
      er_num bigint NOT NULL DEFAULT 0, er_den bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, platform, day, dimension, key)
    ) WITH (fillfactor = 80)`.execute(db);
  // Filled by the rebuild in 20261123T1200_post_rollup_monthly.
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE post_content_rollup_daily`.execute(db);
}
