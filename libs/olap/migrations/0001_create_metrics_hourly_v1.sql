-- Hourly rollups of lifetime totals, written by the aggregator.
--
-- One row per (tenant, platform, post, UTC hour) holding the totals at the LAST observation in that
-- hour: ReplacingMergeTree keeps the row with the highest `version` (observed_at in epoch ms) per
-- ORDER BY key. Writing the same observation again yields an identical row, so duplicates collapse.
--
-- READ RULE: merges are eventual, so a query must never sum raw rows. Reduce to one row per key
-- first, with `FINAL` or `argMax(column, version) ... GROUP BY <the ORDER BY key>`, and only then
-- aggregate across posts. libs/olap/src/reads.ts holds the tested reads.
--
-- The post's dimensions are denormalized onto each row (from the Postgres `posts` row at write time),
-- so analytics need no join; a post's attributes may be filled in later, so take them from the post's
-- newest row (argMax by version), not from an arbitrary one.
CREATE TABLE IF NOT EXISTS post_metrics_hourly_v1 (
  tenant_id String,
  platform String,
  platform_post_id String,
  hour DateTime('UTC'),
  post_id String,
  account_id String,
  published_at Nullable(DateTime('UTC')),
  content_type Nullable(String),
  hashtags Array(String),
  text_length Nullable(UInt32),
  observed_at DateTime('UTC'),
  version UInt64,
  impressions Nullable(Int64),
  reach Nullable(Int64),
  clicks Nullable(Int64),
  likes_count Nullable(Int64),
  comments_count Nullable(Int64),
  shares_count Nullable(Int64),
  saves_count Nullable(Int64),
  reactions_count Nullable(Int64),
  retweets_count Nullable(Int64),
  quote_tweets_count Nullable(Int64),
  video_views Nullable(Int64),
  video_watch_time Nullable(Int64)
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, platform, platform_post_id, hour);

-- Account counts (followers over time), same rule: one row per (tenant, platform, account, UTC hour)
-- at the last observation in the hour, read through FINAL or argMax by version. Hourly rather than
-- daily so a day can be cut in any tenant's time zone.
CREATE TABLE IF NOT EXISTS account_metrics_hourly_v1 (
  tenant_id String,
  platform String,
  account_id String,
  hour DateTime('UTC'),
  observed_at DateTime('UTC'),
  version UInt64,
  followers_count Nullable(Int64),
  following_count Nullable(Int64),
  posts_count Nullable(Int64)
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, platform, account_id, hour);
