import type { AccountMetricsSnapshot, Platform, PostMetricsSnapshot } from '@postpulse/contracts';
import type { AccountRow, DiscoveredPost, LeasedPost } from './store.js';
import type { ItemError, PlatformError } from './types.js';

/** An account ready for calls: its row and its decrypted access token (never logged). */
export interface AccountContext {
  account: Pick<AccountRow, 'id' | 'tenant_id' | 'platform' | 'account_id'> & { platform: Platform };
  accessToken: string;
}

export interface RefreshGroup {
  ctx: AccountContext;
  posts: readonly LeasedPost[];
}

export interface GroupResult {
  account_pk: string;
  snapshots: PostMetricsSnapshot[];
  itemErrors: ItemError[];
  /** The whole group failed: nothing of it was fetched. */
  error: PlatformError | null;
}

export interface DiscoveryResult {
  posts: DiscoveredPost[];
  /** Newest publication time seen (epoch ms), the next run's high-water mark. */
  newest: number | null;
}

/** What a platform service plugs into the shared worker. */
export interface PlatformAdapter {
  readonly platform: Platform;
  /** Posts per lease per account: the batch size of the platform's metrics call(s). */
  readonly batchSize: number;
  /** Lists the account's posts published at or after `since`, newest first, following pagination. */
  discover(ctx: AccountContext, since: number, observedAt: string): Promise<DiscoveryResult>;
  /**
   * Fetches metrics of leased posts, grouped by account (an account may have several groups); may
   * combine groups into shared calls. Returns one result per group, in the order of `groups`.
   */
  refresh(groups: readonly RefreshGroup[], observedAt: string): Promise<GroupResult[]>;
  refreshAccount(ctx: AccountContext, observedAt: string): Promise<AccountMetricsSnapshot>;
}
