// X API v2: timeline for discovery, GET /2/tweets?ids= (100 per call) for metrics, the user for
// followers. Windows are 15 minutes per user and per app; every answer says what is left.
import type { AccountMetricsSnapshot } from '@postpulse/contracts';
import type { Bucket, RateLimiter } from '@postpulse/ratelimit';
import type {
  AccountContext,
  DiscoveryResult,
  GroupResult,
  PlatformAdapter,
  RefreshGroup,
} from '../adapter.js';
import type { PlatformClient } from '../http.js';
import { isObject, nextUtcMonth, str } from '../normalize/common.js';
import { normalizeTweets, normalizeTwitterUser, twitterError } from '../normalize/twitter.js';
import type { DiscoveredPost } from '../store.js';
import { PlatformError, type RawResponse } from '../types.js';

export type XEndpoint = 'tweets_lookup' | 'user_tweets' | 'users_lookup';

export interface XAdapterSettings {
  baseUrl: string;
  /** Calls per 15-minute window, per user token and per app (X's published limits). */
  limits: Record<XEndpoint, { perUser: number; perApp: number }>;
  windowMs: number;
  /** Only the newest 3,200 posts of a timeline are reachable. */
  timelineDepth: number;
}

export const defaultXSettings: Omit<XAdapterSettings, 'baseUrl'> = {
  limits: {
    tweets_lookup: { perUser: 5000, perApp: 3500 },
    user_tweets: { perUser: 900, perApp: 10_000 },
    users_lookup: { perUser: 900, perApp: 300 },
  },
  windowMs: 15 * 60_000,
  timelineDepth: 3200,
};

const TWEET_FIELDS = 'public_metrics,non_public_metrics,organic_metrics,created_at,entities,attachments';
const MONTH_MS = 31 * 86_400_000;

export class XAdapter implements PlatformAdapter {
  readonly platform = 'twitter' as const;
  readonly batchSize = 100;

  constructor(
    private readonly client: PlatformClient,
    private readonly limiter: RateLimiter,
    private readonly settings: XAdapterSettings,
    private readonly now: () => number,
  ) {}

  private buckets(endpoint: XEndpoint, userId: string): Bucket[] {
    const l = this.settings.limits[endpoint];
    const w = this.settings.windowMs;
    return [
      // The monthly usage cap: never counted here, only blocked when X says so.
      { key: 'x:usage-cap', limit: Number.MAX_SAFE_INTEGER, windowMs: MONTH_MS, mode: 'fixed' },
      { key: `x:${endpoint}:app`, limit: l.perApp, windowMs: w, mode: 'fixed' },
      { key: `x:${endpoint}:user:${userId}`, limit: l.perUser, windowMs: w, mode: 'fixed' },
    ];
  }

  /** Reads x-rate-limit-* into the bucket the numbers belong to; a 429 blocks until reset. */
  private observer(endpoint: XEndpoint, userId: string) {
    return async (res: RawResponse): Promise<void> => {
      const limit = Number(res.headers['x-rate-limit-limit']);
      const remaining = Number(res.headers['x-rate-limit-remaining']);
      const reset = Number(res.headers['x-rate-limit-reset']) * 1000;
      const l = this.settings.limits[endpoint];
      const keys: string[] = [];
      if (limit === l.perApp) keys.push(`x:${endpoint}:app`);
      if (limit === l.perUser || keys.length === 0) keys.push(`x:${endpoint}:user:${userId}`);
      if (res.status === 429) {
        const body = isObject(res.body) ? res.body : {};
        if ((str(body.type) ?? '').endsWith('usage-capped')) {
          await this.limiter.block('x:usage-cap', nextUtcMonth(this.now()));
          return;
        }
        const until = Number.isFinite(reset) && reset > 0 ? reset : this.now() + this.settings.windowMs;
        for (const k of keys) await this.limiter.block(k, until);
        return;
      }
      if (Number.isFinite(remaining) && Number.isFinite(reset) && reset > 0) {
        for (const k of keys) await this.limiter.observe(k, remaining, reset);
      }
    };
  }

  private async get(
    endpoint: XEndpoint,
    userId: string,
    ctx: AccountContext,
    url: string,
  ): Promise<RawResponse> {
    return this.client.call({
      endpoint,
      url,
      headers: { authorization: `Bearer ${ctx.accessToken}` },
      buckets: this.buckets(endpoint, userId),
      observe: this.observer(endpoint, userId),
    });
  }

  private raise(res: RawResponse): void {
    const e = twitterError(res, this.now());
    if (e) throw new PlatformError(e.kind, e.message, e.retryAt);
  }

  async discover(ctx: AccountContext, since: number, observedAt: string): Promise<DiscoveryResult> {
    const userId = ctx.account.account_id;
    const posts: DiscoveredPost[] = [];
    let newest: number | null = null;
    let token: string | null = null;
    do {
      const q = new URLSearchParams({
        max_results: '100',
        start_time: new Date(since).toISOString(),
        'tweet.fields': 'created_at,entities,attachments',
        expansions: 'attachments.media_keys',
        'media.fields': 'type',
      });
      if (token) q.set('pagination_token', token);
      const res = await this.get(
        'user_tweets',
        userId,
        ctx,
        `${this.settings.baseUrl}/2/users/${userId}/tweets?${q}`,
      );
      this.raise(res);
      const n = normalizeTweets(res, {
        tenant_id: ctx.account.tenant_id,
        platform: 'twitter',
        account_id: userId,
        observed_at: observedAt,
      });
      for (const s of n.snapshots) {
        if (!s.post) continue;
        const at = Date.parse(s.post.published_at);
        if (at < since) continue;
        newest = newest === null ? at : Math.max(newest, at);
        posts.push({
          platform_post_id: s.platform_post_id,
          published_at: s.post.published_at,
          attributes: s.post,
        });
      }
      const body = isObject(res.body) ? res.body : {};
      token = isObject(body.meta) ? str(body.meta.next_token) : null;
    } while (token && posts.length < this.settings.timelineDepth);
    return { posts, newest };
  }

  async refresh(groups: readonly RefreshGroup[], observedAt: string): Promise<GroupResult[]> {
    return Promise.all(groups.map((g) => this.refreshGroup(g, observedAt)));
  }

  private async refreshGroup(group: RefreshGroup, observedAt: string): Promise<GroupResult> {
    const { ctx } = group;
    const ids = group.posts.map((p) => p.platform_post_id);
    const result: GroupResult = { account_pk: ctx.account.id, snapshots: [], itemErrors: [], error: null };
    try {
      const q = new URLSearchParams({
        ids: ids.join(','),
        'tweet.fields': TWEET_FIELDS,
        expansions: 'attachments.media_keys',
        'media.fields': 'public_metrics,type',
      });
      const res = await this.get(
        'tweets_lookup',
        ctx.account.account_id,
        ctx,
        `${this.settings.baseUrl}/2/tweets?${q}`,
      );
      this.raise(res);
      const n = normalizeTweets(res, {
        tenant_id: ctx.account.tenant_id,
        platform: 'twitter',
        account_id: ctx.account.account_id,
        observed_at: observedAt,
        requested_ids: ids,
      });
      result.snapshots = n.snapshots;
      result.itemErrors = n.itemErrors;
    } catch (e) {
      result.error = e instanceof PlatformError ? e : new PlatformError('server_error', String(e));
    }
    return result;
  }

  async refreshAccount(ctx: AccountContext, observedAt: string): Promise<AccountMetricsSnapshot> {
    const userId = ctx.account.account_id;
    const res = await this.get(
      'users_lookup',
      userId,
      ctx,
      `${this.settings.baseUrl}/2/users/${userId}?user.fields=public_metrics`,
    );
    this.raise(res);
    const n = normalizeTwitterUser(res, {
      tenant_id: ctx.account.tenant_id,
      platform: 'twitter',
      account_id: userId,
      observed_at: observedAt,
    });
    if (n.error) throw new PlatformError(n.error.kind, n.error.message, n.error.retryAt);
    if (!n.account) throw new PlatformError('bad_request', 'no account metrics in answer');
    return n.account;
  }
}
