// Meta Graph v25.0 for Facebook Pages and Instagram business accounts. Metrics come in Graph batch
// requests (one HTTP call, up to 50 sub-requests), each sub-request an `?ids=` read of up to 50
// posts: insights and counts of up to 250 posts per HTTP call. A retired metric fails its whole
// sub-request; it is found (named by Meta, or by bisection), remembered in Postgres and dropped,
// and the rest of the metrics are asked again, never lost.
import type {
  AccountMetricsSnapshot,
  Platform,
  PostMetrics,
  PostMetricsSnapshot,
} from '@postpulse/contracts';
import type { Database } from '@postpulse/db';
import type { Logger } from '@postpulse/logging';
import type { Bucket, RateLimiter } from '@postpulse/ratelimit';
import type { Kysely } from 'kysely';
import type {
  AccountContext,
  DiscoveryResult,
  GroupResult,
  PlatformAdapter,
  RefreshGroup,
} from '../adapter.js';
import type { PlatformClient } from '../http.js';
import { asArray, isObject, type Json, postSnapshot, str } from '../normalize/common.js';
import {
  facebookPostAttributes,
  instagramPostAttributes,
  metaError,
  metaUsage,
  normalizeFacebookFields,
  normalizeFacebookInsights,
  normalizeInstagramInsights,
  normalizeInstagramMedia,
  normalizeMetaAccount,
} from '../normalize/meta.js';
import { type DiscoveredPost, loadRetiredMetrics, recordRetiredMetric } from '../store.js';
import {
  type ItemError,
  type NormalizeContext,
  type Normalized,
  PlatformError,
  type RawResponse,
} from '../types.js';

export interface MetaAdapterSettings {
  baseUrl: string;
  version: string;
  /** Objects read per rolling hour by the whole app (each id of an `ids=` read counts). */
  appPerHour: number;
  /** Business use case budget per Page / Instagram account per rolling 24 h. */
  pagePerDay: number;
  instagramPerDay: number;
  /** Stop calling through a scope once Meta reports this much of it used. */
  usagePauseAtPercent: number;
  /** How long to pause when usage is high and Meta gives no regain time. */
  usagePauseMs: number;
  facebookMetrics: readonly string[];
  instagramMetrics: readonly string[];
}

export const defaultMetaSettings: Omit<MetaAdapterSettings, 'baseUrl'> = {
  version: 'v25.0',
  appPerHour: 20_000,
  pagePerDay: 50_000,
  instagramPerDay: 50_000,
  usagePauseAtPercent: 90,
  usagePauseMs: 10 * 60_000,
  facebookMetrics: [
    'post_media_view',
    'post_total_media_view_unique',
    'post_clicks',
    'post_reactions_by_type_total',
    'post_video_views',
  ],
  instagramMetrics: ['reach', 'likes', 'comments', 'shares', 'saved', 'views'],
};

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const IDS_PER_READ = 50;
const BATCH_MAX = 50;
const MAX_ROUNDS = 8;

const FB_FIELDS = 'shares,comments.summary(true).limit(0),reactions.summary(true).limit(0)';
const IG_FIELDS = 'like_count,comments_count,media_type,media_product_type,timestamp,caption,permalink';

type Task = { kind: 'insights'; ids: string[]; metrics: string[] } | { kind: 'fields'; ids: string[] };

function chunk<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

export class MetaAdapter implements PlatformAdapter {
  // 25 `ids=` reads of 50 posts, insights + counts: 50 sub-requests, one HTTP batch call.
  readonly batchSize = 1250;
  private retired: Set<string> | null = null;

  constructor(
    readonly platform: Extract<Platform, 'facebook' | 'instagram'>,
    private readonly client: PlatformClient,
    private readonly limiter: RateLimiter,
    private readonly db: Kysely<Database>,
    private readonly settings: MetaAdapterSettings,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  private get scope(): 'page' | 'ig' {
    return this.platform === 'facebook' ? 'page' : 'ig';
  }

  private buckets(accountId: string): Bucket[] {
    const s = this.settings;
    return [
      { key: 'meta:app', limit: s.appPerHour, windowMs: HOUR_MS, mode: 'sliding' },
      {
        key: `meta:${this.scope}:${accountId}`,
        limit: this.platform === 'facebook' ? s.pagePerDay : s.instagramPerDay,
        windowMs: DAY_MS,
        mode: 'sliding',
      },
    ];
  }

  /** Backs off before 100 %: usage headers near the limit, or a throttling error, pause the scope. */
  private async observeUsage(accountId: string, res: RawResponse): Promise<void> {
    const now = this.now();
    const e = metaError(res, now);
    const usage = metaUsage(res.headers);
    const appUsage = metaUsage({ 'x-app-usage': res.headers['x-app-usage'] ?? '' });
    const pause = (regain: number) => (regain > 0 ? now + regain * 60_000 : now + this.settings.usagePauseMs);
    if (e?.kind === 'rate_limited') {
      const code = isObject(res.body) && isObject(res.body.error) ? res.body.error.code : null;
      const appWide = code === 4 || code === 17 || code === 613;
      await this.limiter.block(
        appWide ? 'meta:app' : `meta:${this.scope}:${accountId}`,
        e.retryAt ?? pause(usage?.regainMinutes ?? 0),
      );
      return;
    }
    if (appUsage && appUsage.percent >= this.settings.usagePauseAtPercent) {
      await this.limiter.block('meta:app', pause(appUsage.regainMinutes));
    }
    if (
      usage &&
      usage.percent >= this.settings.usagePauseAtPercent &&
      (!appUsage || usage.percent > appUsage.percent)
    ) {
      await this.limiter.block(`meta:${this.scope}:${accountId}`, pause(usage.regainMinutes));
    }
  }

  private async call(
    endpoint: string,
    ctx: AccountContext,
    path: string,
    opts: { method?: 'POST'; body?: string; cost?: number } = {},
  ): Promise<RawResponse> {
    const accountId = ctx.account.account_id;
    return this.client.call({
      endpoint,
      url: `${this.settings.baseUrl}/${this.settings.version}${path}`,
      method: opts.method ?? 'GET',
      headers: {
        authorization: `Bearer ${ctx.accessToken}`,
        ...(opts.body ? { 'content-type': 'application/json' } : {}),
      },
      ...(opts.body ? { body: opts.body } : {}),
      buckets: this.buckets(accountId),
      cost: opts.cost ?? 1,
      observe: (res) => this.observeUsage(accountId, res),
    });
  }

  private raise(res: RawResponse): void {
    const e = metaError(res, this.now());
    if (e) throw new PlatformError(e.kind, e.message, e.retryAt);
  }

  private nctx(
    ctx: AccountContext,
    observedAt: string,
    extra: Partial<NormalizeContext> = {},
  ): NormalizeContext {
    return {
      tenant_id: ctx.account.tenant_id,
      platform: this.platform,
      account_id: ctx.account.account_id,
      observed_at: observedAt,
      ...extra,
    };
  }

  private async retiredMetrics(): Promise<Set<string>> {
    this.retired ??= await loadRetiredMetrics(this.db, this.platform);
    return this.retired;
  }

  private async retire(metric: string, message: string): Promise<void> {
    (await this.retiredMetrics()).add(metric);
    await recordRetiredMetric(this.db, { platform: this.platform, metric, now: this.now(), message });
    this.logger.warn({ platform: this.platform, metric }, 'metric retired by Meta: dropped from requests');
  }

  async discover(ctx: AccountContext, since: number): Promise<DiscoveryResult> {
    const id = ctx.account.account_id;
    const fb = this.platform === 'facebook';
    const fields = fb
      ? 'id,created_time,message,permalink_url,status_type,attachments'
      : 'id,caption,media_type,media_product_type,timestamp,permalink';
    let path: string | null =
      `/${id}/${fb ? 'published_posts' : 'media'}?fields=${encodeURIComponent(fields)}&limit=100`;
    const posts: DiscoveredPost[] = [];
    let newest: number | null = null;
    while (path) {
      const res = await this.call(fb ? 'published_posts' : 'media', ctx, path);
      this.raise(res);
      const body = isObject(res.body) ? res.body : {};
      let older = false;
      for (const o of asArray(body.data)) {
        if (!isObject(o) || typeof o.id !== 'string') continue;
        const attrs = fb ? facebookPostAttributes(o) : instagramPostAttributes(o);
        if (!attrs) continue;
        const at = Date.parse(attrs.published_at);
        if (at < since) {
          older = true;
          continue;
        }
        newest = newest === null ? at : Math.max(newest, at);
        posts.push({ platform_post_id: o.id, published_at: attrs.published_at, attributes: attrs });
      }
      const after =
        isObject(body.paging) && isObject(body.paging.cursors) ? str(body.paging.cursors.after) : null;
      const hasNext = isObject(body.paging) && typeof body.paging.next === 'string';
      path =
        !older && hasNext && after
          ? `/${id}/${fb ? 'published_posts' : 'media'}?fields=${encodeURIComponent(fields)}&limit=100&after=${encodeURIComponent(after)}`
          : null;
    }
    return { posts, newest };
  }

  async refresh(groups: readonly RefreshGroup[], observedAt: string): Promise<GroupResult[]> {
    return Promise.all(groups.map((g) => this.refreshGroup(g, observedAt)));
  }

  private relativeUrl(task: Task): string {
    const ids = task.ids.join(',');
    if (task.kind === 'insights') return `insights?ids=${ids}&metric=${task.metrics.join(',')}`;
    return `?ids=${ids}&fields=${encodeURIComponent(this.platform === 'facebook' ? FB_FIELDS : IG_FIELDS)}`;
  }

  private async refreshGroup(group: RefreshGroup, observedAt: string): Promise<GroupResult> {
    const { ctx } = group;
    const result: GroupResult = { account_pk: ctx.account.id, snapshots: [], itemErrors: [], error: null };
    const wanted =
      this.platform === 'facebook' ? this.settings.facebookMetrics : this.settings.instagramMetrics;
    const retired = await this.retiredMetrics();
    const metrics = wanted.filter((m) => !retired.has(m));
    const ids = group.posts.map((p) => p.platform_post_id);
    const merged = new Map<string, { metrics: Partial<PostMetrics>; post: PostMetricsSnapshot['post'] }>();
    const gone = new Set<string>();
    const notReady = new Set<string>();
    const mediaTypes = new Map<string, string>();
    for (const p of group.posts)
      if (p.attributes?.content_type === 'video') mediaTypes.set(p.platform_post_id, 'VIDEO');
    const add = (n: Normalized) => {
      for (const s of n.snapshots) {
        const m = merged.get(s.platform_post_id) ?? { metrics: {}, post: null };
        for (const [k, v] of Object.entries(s.metrics) as Array<[keyof PostMetrics, number | null]>) {
          if (v !== null) m.metrics[k] = v;
        }
        m.post ??= s.post;
        merged.set(s.platform_post_id, m);
      }
      for (const e of n.itemErrors)
        (e.kind === 'not_found' ? gone : e.kind === 'not_ready' ? notReady : new Set<string>()).add(
          e.platform_post_id,
        );
    };

    let tasks: Task[] = [];
    for (const part of chunk(ids, IDS_PER_READ)) {
      if (metrics.length > 0) tasks.push({ kind: 'insights', ids: part, metrics: [...metrics] });
      tasks.push({ kind: 'fields', ids: part });
    }
    try {
      for (let round = 0; tasks.length > 0 && round < MAX_ROUNDS; round++) {
        const next: Task[] = [];
        for (const batch of chunk(tasks, BATCH_MAX)) {
          const cost = batch.reduce((n, t) => n + t.ids.length, 0);
          const res = await this.call('batch', ctx, '/', {
            method: 'POST',
            body: JSON.stringify({
              include_headers: 'true',
              batch: JSON.stringify(batch.map((t) => ({ method: 'GET', relative_url: this.relativeUrl(t) }))),
            }),
            cost,
          });
          this.raise(res);
          const items = asArray(res.body);
          for (const [i, task] of batch.entries()) {
            const item = items[i];
            const sub = this.subResponse(item);
            await this.observeUsage(ctx.account.account_id, sub);
            const requested = {
              requested_ids: task.ids,
              ...(task.kind === 'insights' ? { requested_metrics: task.metrics } : {}),
            };
            const n =
              task.kind === 'fields'
                ? this.platform === 'facebook'
                  ? normalizeFacebookFields(sub, this.nctx(ctx, observedAt, requested))
                  : normalizeInstagramMedia(sub, this.nctx(ctx, observedAt, requested))
                : this.platform === 'facebook'
                  ? normalizeFacebookInsights(sub, this.nctx(ctx, observedAt, requested))
                  : normalizeInstagramInsights(sub, this.nctx(ctx, observedAt, requested), mediaTypes);
            if (!n.error) {
              if (task.kind === 'fields' && this.platform === 'instagram') {
                for (const s of n.snapshots)
                  if (s.post?.content_type === 'video') mediaTypes.set(s.platform_post_id, 'VIDEO');
              }

              add(n);
              continue;
            }
            const e = n.error;
            if (e.kind === 'not_found' && e.missingIds && e.missingIds.length > 0) {
              // One unknown id fails an `ids=` read: note the gone ones, ask again for the rest.
              for (const id of e.missingIds) gone.add(id);
              const rest = task.ids.filter((id) => !gone.has(id));
              if (rest.length > 0) next.push({ ...task, ids: rest });
              continue;
            }
            if (e.kind === 'metric_retired' && task.kind === 'insights') {
              if (e.metric && task.metrics.includes(e.metric)) {
                await this.retire(e.metric, e.message);
                const rest = task.metrics.filter((m) => m !== e.metric);
                if (rest.length > 0) next.push({ ...task, metrics: rest });
              } else if (task.metrics.length === 1 && task.metrics[0]) {
                await this.retire(task.metrics[0], e.message);
              } else {
                // Meta did not say which metric: bisect until each half is clean or a single culprit.
                const half = Math.ceil(task.metrics.length / 2);
                next.push(
                  { ...task, metrics: task.metrics.slice(0, half) },
                  { ...task, metrics: task.metrics.slice(half) },
                );
              }
              continue;
            }
            if (e.kind === 'rate_limited' || e.kind === 'quota_exhausted' || e.kind.startsWith('auth')) {
              throw new PlatformError(e.kind, e.message, e.retryAt);
            }
            this.logger.warn(
              { platform: this.platform, kind: e.kind, err: e.message, task: task.kind },
              'sub-request failed; keeping the rest',
            );
          }
        }
        tasks = next;
      }
    } catch (e) {
      result.error = e instanceof PlatformError ? e : new PlatformError('server_error', String(e));
      return result;
    }
    const itemErrors: ItemError[] = [];
    for (const id of ids) {
      if (gone.has(id)) {
        itemErrors.push({ platform_post_id: id, kind: 'not_found' });
        continue;
      }
      if (notReady.has(id)) itemErrors.push({ platform_post_id: id, kind: 'not_ready' });
      const m = merged.get(id);
      if (!m) continue;
      // Instagram `like_count` (absent when likes are hidden) only stands in when insights are missing.
      result.snapshots.push(postSnapshot(this.nctx(ctx, observedAt), this.platform, id, m.post, m.metrics));
    }
    result.itemErrors = itemErrors;
    return result;
  }

  /** A batch element `{code, headers: [{name, value}], body: "<json>"}` → a response. */
  private subResponse(item: unknown): RawResponse {
    if (!isObject(item))
      return { status: 500, headers: {}, body: { error: { message: 'missing batch element', code: 1 } } };
    const headers: Record<string, string> = {};
    for (const h of asArray(item.headers)) {
      if (isObject(h) && typeof h.name === 'string' && typeof h.value === 'string')
        headers[h.name.toLowerCase()] = h.value;
    }
    let body: unknown = null;
    try {
      body = typeof item.body === 'string' ? JSON.parse(item.body) : item.body;
    } catch {
      body = null;
    }
    return { status: typeof item.code === 'number' ? item.code : 500, headers, body: body as Json };
  }

  async refreshAccount(ctx: AccountContext, observedAt: string): Promise<AccountMetricsSnapshot> {
    const fields =
      this.platform === 'facebook' ? 'followers_count' : 'followers_count,follows_count,media_count';
    const res = await this.call('account', ctx, `/${ctx.account.account_id}?fields=${fields}`);
    this.raise(res);
    const n = normalizeMetaAccount(res, this.nctx(ctx, observedAt));
    if (!n.account) throw new PlatformError('bad_request', 'no follower count in answer');
    return n.account;
  }
}
