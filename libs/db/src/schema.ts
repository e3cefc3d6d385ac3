import type { ColumnType, Generated } from 'kysely';
import type { contentRollupColumns } from './content-rollup.js';
import type { DayHoursColumn } from './day-hours.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface TenantsTable {
  id: Generated<string>;
  name: string;
  /** IANA zone every date range of this tenant is read in. */
  timezone: string;
  /** Requests per minute for the query API; null means the service default. */
  rate_limit_per_minute: number | null;
  created_at: Generated<Timestamp>;
}

export interface ApiKeysTable {
  id: Generated<string>;
  tenant_id: string;
  /** Shown in listings so a key can be recognised without revealing it. */
  prefix: string;
  /** SHA-256 of the whole key; the key itself is shown once and never stored. */
  key_hash: Buffer;
  scopes: string[];
  name: string | null;
  created_at: Generated<Timestamp>;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

/** Lifetime totals of a post at one observation; null means the platform did not report it. */
export interface PostMetricColumns {
  impressions: number | null;
  reach: number | null;
  clicks: number | null;
  likes_count: number | null;
  comments_count: number | null;
  shares_count: number | null;
  saves_count: number | null;
  reactions_count: number | null;
  retweets_count: number | null;
  quote_tweets_count: number | null;
  video_views: number | null;
  video_watch_time: number | null;
}

/** One row per tenant/platform/platform_post_id; `id` is the stable id the query API addresses. */
export interface PostsTable {
  id: Generated<string>;
  tenant_id: string;
  platform: string;
  platform_post_id: string;
  account_id: string;
  published_at: Timestamp | null;
  content_type: string | null;
  content_text: string | null;
  hashtags: string[] | null;
  platform_post_url: string | null;
  attributes_observed_at: Timestamp | null;
  first_seen_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
  /** Characters (code points) of content_text, null when it is; written with it. */
  text_length: number | null;
  /** The hashtags lower-cased, each once: what analytics group by; null when hashtags is; written with it. */
  hashtag_keys: string[] | null;
}

/** Every observation, partitioned by month of observed_at; one row per post and observed_at. */
export interface PostMetricSnapshotsTable extends PostMetricColumns {
  tenant_id: string;
  platform: string;
  platform_post_id: string;
  observed_at: Timestamp;
  event_id: string;
  account_id: string;
  ingested_at: Generated<Timestamp>;
}

/** The newest observation per post; an older one never replaces it. */
export interface PostMetricsLatestTable extends PostMetricColumns {
  tenant_id: string;
  platform: string;
  platform_post_id: string;
  observed_at: Timestamp;
  event_id: string;
  account_id: string;
  /** Copied from `posts` by the aggregator so a period's posts are found without touching their text. */
  published_at: Generated<Timestamp | null>;
  /** Copied from `posts` by the aggregator, for content analysis. */
  content_type: Generated<string | null>;
  text_length: Generated<number | null>;
  hashtag_keys: Generated<string[] | null>;
  updated_at: Generated<Timestamp>;
}

/**
 * Per tenant, platform and UTC hour of publication: sums over the latest totals of the posts published
 * in it (see rollupColumns in post-analytics.ts). Kept by the aggregator.
 */
export interface PostRollupHourlyTable {
  tenant_id: string;
  platform: string;
  hour: Timestamp;
  posts: number;
  likes_count: number;
  likes_count_n: number;
  comments_count: number;
  comments_count_n: number;
  shares_count: number;
  shares_count_n: number;
  impressions: number;
  impressions_n: number;
  reach: number;
  reach_n: number;
  clicks: number;
  clicks_n: number;
  engagements: number;
  engagements_n: number;
  er_num: number;
  er_den: number;
  ctr_num: number;
  ctr_den: number;
  k: number;
  e2: number;
  n2: number;
  en: number;
  updated_at: Generated<Timestamp>;
}

/** The same sums per tenant, platform and UTC day of publication (`day` is the instant it starts). */
export type PostRollupDailyTable = Omit<PostRollupHourlyTable, 'hour'> & { day: Timestamp };
/** And per UTC month (`month` is the instant it starts). */
export type PostRollupMonthlyTable = Omit<PostRollupHourlyTable, 'hour'> & { month: Timestamp };

/** Some hourly rollup columns over all platforms per UTC day, each as its 24 hours (`day-hours.ts`). */
export type PostRollupDayHoursTable = { tenant_id: string; day: Timestamp } & Record<DayHoursColumn, Buffer>;

/**
 * Per tenant, platform, UTC day of publication and content key (`dimension`: the content type, length
 * bucket or hashtag): sums over the latest totals of the posts published that day under that key (see
 * contentRollupColumns in content-rollup.ts). Kept by the aggregator.
 */
export type PostContentRollupDailyTable = Pick<
  PostRollupDailyTable,
  'tenant_id' | 'platform' | 'day' | 'updated_at' | (typeof contentRollupColumns)[number]
> & { dimension: string; key: string };

/** What observations gained, per tenant, platform, UTC hour of observation and of the previous one. */
export interface PostGainsHourlyTable {
  tenant_id: string;
  platform: string;
  hour: Timestamp;
  previous_hour: Timestamp;
  observations: number;
  impressions: number;
  impressions_n: number;
  reach: number;
  reach_n: number;
  clicks: number;
  clicks_n: number;
  likes_count: number;
  likes_count_n: number;
  comments_count: number;
  comments_count_n: number;
  shares_count: number;
  shares_count_n: number;
  er_num: number;
  er_den: number;
  ctr_num: number;
  ctr_den: number;
}

/** The newest post observation per tenant and platform: how fresh the numbers are. */
export interface PostFreshnessTable {
  tenant_id: string;
  platform: string;
  last_observed_at: Timestamp;
}

export interface AccountMetricColumns {
  followers_count: number | null;
  following_count: number | null;
  posts_count: number | null;
}

export interface AccountMetricSnapshotsTable extends AccountMetricColumns {
  tenant_id: string;
  platform: string;
  account_id: string;
  observed_at: Timestamp;
  event_id: string;
  ingested_at: Generated<Timestamp>;
}

export interface AccountMetricsLatestTable extends AccountMetricColumns {
  tenant_id: string;
  platform: string;
  account_id: string;
  observed_at: Timestamp;
  event_id: string;
  updated_at: Generated<Timestamp>;
}

/**
 * Per account and UTC hour, its first and last observation of followers (libs/db/src/follower-hours.ts).
 * Its generated `account_key` (a 64-bit hash, beyond JavaScript's exact integers) is only for lookups in SQL.
 */
export interface AccountFollowersHourlyTable {
  tenant_id: string;
  platform: string;
  account_id: string;
  hour: Timestamp;
  first_observed_at: Timestamp;
  first_followers: number;
  last_observed_at: Timestamp;
  last_followers: number;
}

/** A connected platform account of a tenant; tokens are AES-256-GCM ciphertexts (libs/secrets). */
export interface PlatformAccountsTable {
  id: Generated<string>;
  tenant_id: string;
  platform: string;
  account_id: string;
  display_name: string | null;
  access_token_enc: string;
  refresh_token_enc: string | null;
  token_key_id: string;
  token_expires_at: Timestamp | null;
  status: 'active' | 'needs_reauth' | 'disconnected';
  status_reason: string | null;
  rate_limited_until: Timestamp | null;
  connected_at: Timestamp;
  updated_at: Timestamp;
  backfill_from: Timestamp;
  backfill_done_at: Timestamp | null;
  newest_post_at: Timestamp | null;
  next_discovery_at: Timestamp;
  next_account_refresh_at: Timestamp;
  lease_owner: string | null;
  lease_until: Timestamp | null;
}

/** The refresh schedule of one discovered post, leased by ingest replicas. */
export interface IngestPostsTable {
  account_pk: string;
  platform_post_id: string;
  tenant_id: string;
  platform: string;
  published_at: Timestamp;
  state: 'active' | 'deleted' | 'done';
  next_refresh_at: Timestamp | null;
  last_refreshed_at: Timestamp | null;
  refresh_count: Generated<number>;
  lease_owner: string | null;
  lease_until: Timestamp | null;
  discovered_at: Timestamp;
  /** The snapshot's `post` object as discovery saw it. */
  attributes: unknown;
}

/** A platform metric the platform refused as retired; ingest stops asking for it. */
export interface PlatformRetiredMetricsTable {
  platform: string;
  metric: string;
  detected_at: Timestamp;
  message: string | null;
}

/** Every table, as kysely sees it. Later migrations add theirs here. */
export interface Database {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  posts: PostsTable;
  post_metric_snapshots: PostMetricSnapshotsTable;
  post_metrics_latest: PostMetricsLatestTable;
  post_rollup_hourly: PostRollupHourlyTable;
  post_rollup_daily: PostRollupDailyTable;
  post_rollup_monthly: PostRollupMonthlyTable;
  post_rollup_day_hours: PostRollupDayHoursTable;
  post_content_rollup_daily: PostContentRollupDailyTable;
  post_gains_hourly: PostGainsHourlyTable;
  post_freshness: PostFreshnessTable;
  account_metric_snapshots: AccountMetricSnapshotsTable;
  account_metrics_latest: AccountMetricsLatestTable;
  account_followers_hourly: AccountFollowersHourlyTable;
  platform_accounts: PlatformAccountsTable;
  ingest_posts: IngestPostsTable;
  platform_retired_metrics: PlatformRetiredMetricsTable;
}
