import type { Migration } from 'kysely';
import * as tenantsAndApiKeys from './20261122T1900_tenants_and_api_keys.js';
import * as postAndAccountMetrics from './20261122T1930_post_and_account_metrics.js';
import * as platformAccountsAndIngestSchedule from './20261122T1950_platform_accounts_and_ingest_schedule.js';
import * as postAnalyticsRollups from './20261122T2200_post_analytics_rollups.js';
import * as postGainsHourly from './20261123T0100_post_gains_hourly.js';
import * as postRollupAllPlatforms from './20261123T0200_post_rollup_all_platforms.js';
import * as postContentColumns from './20261123T0300_post_content_columns.js';
import * as latestEngagementRateIndex from './20261123T0400_latest_engagement_rate_index.js';
import * as postRollupDaily from './20261123T0500_post_rollup_daily.js';
import * as latestContentColumns from './20261123T0600_latest_content_columns.js';
import * as postContentRollupDaily from './20261123T0700_post_content_rollup_daily.js';
import * as accountFollowersDaily from './20261123T0800_account_followers_daily.js';
import * as latestPublishedCoveringIndex from './20261123T0900_latest_published_covering_index.js';
import * as postRollupDayHours from './20261123T1000_post_rollup_day_hours.js';
import * as latestDayEngagementRateIndex from './20261123T1100_latest_day_engagement_rate_index.js';
import * as postRollupMonthly from './20261123T1200_post_rollup_monthly.js';
import * as accountFollowersHourly from './20261124T0100_account_followers_hourly.js';

/**
 * Every migration, by file name. Listed statically rather than read from disk so it works under any
 * loader or bundler; a unit test checks that each file in this folder is listed.
 */
export const migrations: Record<string, Migration> = {
  '20261122T1900_tenants_and_api_keys': tenantsAndApiKeys,
  '20261122T1930_post_and_account_metrics': postAndAccountMetrics,
  '20261122T1950_platform_accounts_and_ingest_schedule': platformAccountsAndIngestSchedule,
  '20261122T2200_post_analytics_rollups': postAnalyticsRollups,
  '20261123T0100_post_gains_hourly': postGainsHourly,
  '20261123T0200_post_rollup_all_platforms': postRollupAllPlatforms,
  '20261123T0300_post_content_columns': postContentColumns,
  '20261123T0400_latest_engagement_rate_index': latestEngagementRateIndex,
  '20261123T0500_post_rollup_daily': postRollupDaily,
  '20261123T0600_latest_content_columns': latestContentColumns,
  '20261123T0700_post_content_rollup_daily': postContentRollupDaily,
  '20261123T0800_account_followers_daily': accountFollowersDaily,
  '20261123T0900_latest_published_covering_index': latestPublishedCoveringIndex,
  '20261123T1000_post_rollup_day_hours': postRollupDayHours,
  '20261123T1100_latest_day_engagement_rate_index': latestDayEngagementRateIndex,
  '20261123T1200_post_rollup_monthly': postRollupMonthly,
  '20261124T0100_account_followers_hourly': accountFollowersHourly,
};
