// LinkedIn /rest: posts finder for discovery; share statistics (shares=List / ugcPosts=List) and
// batch socialMetadata for metrics, two calls per up to 100 posts; networkSizes for followers.
// Quotas are daily per app and per member; a 429 carries no headers and blocks until 00:00 UTC.
import type { AccountMetricsSnapshot, PostMetrics, PostMetricsSnapshot } from '@postpulse/contracts';
import type { Logger } from '@postpulse/logging';
import type { Bucket, RateLimiter } from '@postpulse/ratelimit';
import type {
  AccountContext,
  DiscoveryResult,
  GroupResult,
  PlatformAdapter,
  RefreshGroup,
} from '../adapter.js';
import type { PlatformClient } from '../http.js';
import { asArray, isObject, nextUtcMidnight, postSnapshot, str } from '../normalize/common.js';
import {
  type LinkedInAnomaly,
  linkedinError,
  linkedinPostAttributes,
  normalizeLinkedInNetworkSize,
  normalizeShareStatistics,
  normalizeSocialMetadata,
} from '../normalize/linkedin.js';
import type { DiscoveredPost } from '../store.js';
import { type NormalizeContext, PlatformError, type RawResponse } from '../types.js';

export interface LinkedInAdapterSettings {
  baseUrl: string;
  /** LinkedIn-Version header (YYYYMM); versions are supported for a year. */
  version: string;
  /** Calls per UTC day per resource: for the whole app and for one member token. */
  appDaily: number;
  memberDaily: number;
}

export const defaultLinkedInSettings: Omit<LinkedInAdapterSettings, 'baseUrl'> = {
  version: '202610',
  appDaily: 100_000,
  memberDaily: 10_000,
};

const DAY_MS = 86_400_000;
const enc = encodeURIComponent;
const restliList = (urns: readonly string[]) => `List(${urns.map(enc).join(',')})`;

export class LinkedInAdapter implements PlatformAdapter {
  readonly platform = 'linkedin' as const;
  readonly batchSize = 100;

  constructor(
    private readonly client: PlatformClient,
    private readonly limiter: RateLimiter,
    private readonly settings: LinkedInAdapterSettings,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  private buckets(resource: string, member: string): Bucket[] {
    return [
      { key: `li:${resource}:app`, limit: this.settings.appDaily, windowMs: DAY_MS, mode: 'utc-day' },
      {
        key: `li:${resource}:member:${member}`,
        limit: this.settings.memberDaily,
        windowMs: DAY_MS,
        mode: 'utc-day',
      },
    ];
  }

  private async get(resource: string, ctx: AccountContext, url: string): Promise<RawResponse> {
    const member = ctx.account.account_id;
    return this.client.call({
      endpoint: resource,
      url: `${this.settings.baseUrl}${url}`,
      headers: {
        authorization: `Bearer ${ctx.accessToken}`,
        'linkedin-version': this.settings.version,
        'x-restli-protocol-version': '2.0.0',
      },
      buckets: this.buckets(resource, member),
      observe: async (res) => {
        if (res.status !== 429) return;
        // A DAY throttle: nothing more for this resource until midnight UTC (for the app or member).
        const message = isObject(res.body) ? (str(res.body.message) ?? '') : '';
        const key = /APPLICATION/.test(message) ? `li:${resource}:app` : `li:${resource}:member:${member}`;
        await this.limiter.block(key, nextUtcMidnight(this.now()));
      },
    });
  }

  private raise(res: RawResponse): void {
    const e = linkedinError(res, this.now());
    if (e) throw new PlatformError(e.kind, e.message, e.retryAt);
  }

  private nctx(ctx: AccountContext, observedAt: string, requested?: readonly string[]): NormalizeContext {
    return {
      tenant_id: ctx.account.tenant_id,
      platform: 'linkedin',
      account_id: ctx.account.account_id,
      observed_at: observedAt,
      ...(requested ? { requested_ids: requested } : {}),
    };
  }

  async discover(ctx: AccountContext, since: number): Promise<DiscoveryResult> {
    const author = `urn:li:organization:${ctx.account.account_id}`;
    const posts: DiscoveredPost[] = [];
    let newest: number | null = null;
    for (let start = 0; ; start += 100) {
      const res = await this.get(
        'posts',
        ctx,
        `/rest/posts?author=${enc(author)}&q=author&count=100&start=${start}`,
      );
      this.raise(res);
      const body = isObject(res.body) ? res.body : {};
      const elements = asArray(body.elements);
      let older = false;
      for (const el of elements) {
        if (!isObject(el)) continue;
        const attrs = linkedinPostAttributes(el);
        const id = str(el.id);
        if (!attrs || !id || el.lifecycleState === 'DELETED') continue;
        const at = Date.parse(attrs.published_at);
        if (at < since) {
          older = true;
          continue;
        }
        newest = newest === null ? at : Math.max(newest, at);
        posts.push({ platform_post_id: id, published_at: attrs.published_at, attributes: attrs });
      }
      const paging = isObject(body.paging) ? body.paging : {};
      const hasNext = asArray(paging.links).some((l) => isObject(l) && l.rel === 'next');
      if (older || !hasNext || elements.length === 0) break;
    }
    return { posts, newest };
  }

  async refresh(groups: readonly RefreshGroup[], observedAt: string): Promise<GroupResult[]> {
    return Promise.all(groups.map((g) => this.refreshGroup(g, observedAt)));
  }

  private async refreshGroup(group: RefreshGroup, observedAt: string): Promise<GroupResult> {
    const { ctx } = group;
    const result: GroupResult = { account_pk: ctx.account.id, snapshots: [], itemErrors: [], error: null };
    const urns = group.posts.map((p) => p.platform_post_id);
    const shares = urns.filter((u) => u.startsWith('urn:li:share:'));
    const ugc = urns.filter((u) => u.startsWith('urn:li:ugcPost:'));
    const org = `urn:li:organization:${ctx.account.account_id}`;
    try {
      let q = `/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${enc(org)}`;
      if (shares.length > 0) q += `&shares=${restliList(shares)}`;
      if (ugc.length > 0) q += `&ugcPosts=${restliList(ugc)}`;
      const statsRes = await this.get('organizationalEntityShareStatistics', ctx, q);
      this.raise(statsRes);
      const anomalies: LinkedInAnomaly[] = [];
      const stats = normalizeShareStatistics(
        statsRes,
        this.nctx(ctx, observedAt, [...shares, ...ugc]),
        anomalies,
      );
      if (anomalies.length > 0) {
        this.logger.warn(
          { account_pk: ctx.account.id, anomalies: anomalies.slice(0, 10) },
          'negative counts from LinkedIn treated as unknown',
        );
      }
      // Reactions by type and comments: a failure here keeps the statistics (partial success).
      let social = new Map<string, Partial<PostMetrics>>();
      const gone = new Set<string>();
      try {
        const socialRes = await this.get(
          'socialMetadata',
          ctx,
          `/rest/socialMetadata?ids=${restliList(urns)}`,
        );
        this.raise(socialRes);
        const n = normalizeSocialMetadata(socialRes, this.nctx(ctx, observedAt));
        social = new Map(n.snapshots.map((s) => [s.platform_post_id, s.metrics]));
        for (const e of n.itemErrors) if (e.kind === 'not_found') gone.add(e.platform_post_id);
      } catch (e) {
        if (e instanceof PlatformError && (e.kind === 'rate_limited' || e.kind.startsWith('auth'))) throw e;
        this.logger.warn(
          { account_pk: ctx.account.id, err: String(e) },
          'socialMetadata failed; publishing statistics only',
        );
      }
      const byId = new Map<string, PostMetricsSnapshot>(stats.snapshots.map((s) => [s.platform_post_id, s]));
      for (const urn of urns) {
        const s = byId.get(urn);
        if (gone.has(urn)) {
          result.itemErrors.push({ platform_post_id: urn, kind: 'not_found' });
          continue;
        }
        if (!s) {
          // Not in `elements`: LinkedIn has no statistics for it (yet); unknown, so nothing is published.
          result.itemErrors.push({ platform_post_id: urn, kind: 'not_ready' });
          continue;
        }
        const extra = social.get(urn);
        const metrics: PostMetrics = {
          ...s.metrics,
          reactions_count: extra?.reactions_count ?? null,
          comments_count: s.metrics.comments_count ?? extra?.comments_count ?? null,
        };
        result.snapshots.push(postSnapshot(this.nctx(ctx, observedAt), 'linkedin', urn, null, metrics));
      }
    } catch (e) {
      result.error = e instanceof PlatformError ? e : new PlatformError('server_error', String(e));
    }
    return result;
  }

  async refreshAccount(ctx: AccountContext, observedAt: string): Promise<AccountMetricsSnapshot> {
    const org = `urn:li:organization:${ctx.account.account_id}`;
    const res = await this.get(
      'networkSizes',
      ctx,
      `/rest/networkSizes/${enc(org)}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`,
    );
    this.raise(res);
    const n = normalizeLinkedInNetworkSize(res, this.nctx(ctx, observedAt));
    if (!n.account) throw new PlatformError('bad_request', 'no follower count in answer');
    return n.account;
  }
}
