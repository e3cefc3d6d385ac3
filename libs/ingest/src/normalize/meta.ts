// Meta Graph v25.0, Facebook Pages and Instagram: insights, node fields, `?ids=` maps, list edges.
import type { PostMetrics, PostMetricsSnapshot } from '@postpulse/contracts';
import {
  type ErrorKind,
  emptyNormalized,
  failed,
  type NormalizeContext,
  type Normalized,
  type RawResponse,
  type ResponseError,
} from '../types.js';
import {
  accountSnapshot,
  asArray,
  type ContentType,
  count,
  hashtagsOf,
  isObject,
  type Json,
  postSnapshot,
  str,
  toIso,
  truncate,
} from './common.js';

export interface MetaUsage {
  /** Highest percentage in x-app-usage and x-business-use-case-usage, 0–100. */
  percent: number;
  /** estimated_time_to_regain_access in minutes (0 when not blocked). */
  regainMinutes: number;
}

function parseJsonHeader(v: string | undefined): unknown {
  if (!v) return null;
  try {
    return JSON.parse(v);
  } catch {
    return null;
  }
}

/** Usage percentages Meta reports on every answer; callers back off before 100 %. */
export function metaUsage(headers: Record<string, string>): MetaUsage | null {
  let percent = -1;
  let regain = 0;
  const take = (o: unknown) => {
    if (!isObject(o)) return;
    for (const k of ['call_count', 'total_cputime', 'total_time', 'acc_id_util_pct']) {
      const v = o[k];
      if (typeof v === 'number' && v > percent) percent = v;
    }
    const r = o.estimated_time_to_regain_access;
    if (typeof r === 'number' && r > regain) regain = r;
  };
  take(parseJsonHeader(headers['x-app-usage']));
  take(parseJsonHeader(headers['x-ad-account-usage']));
  const buc = parseJsonHeader(headers['x-business-use-case-usage']);
  if (isObject(buc)) for (const entries of Object.values(buc)) for (const e of asArray(entries)) take(e);
  return percent < 0 && regain === 0
    ? null
    : { percent: Math.max(0, Math.min(100, percent)), regainMinutes: regain };
}

const THROTTLE_CODES = new Set([
  4, 17, 32, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014,
]);
const REVOKED_SUBCODES = new Set([458, 459, 460, 464]);
const RETIRED = /valid insights metric|metric\[(\d+)\] must be one of/i;

/** Graph error bodies: `{"error": {"message", "type", "code", "error_subcode"}}`. */
export function metaError(
  res: RawResponse,
  now: number,
  requestedMetrics: readonly string[] = [],
): ResponseError | null {
  const body = isObject(res.body) ? res.body : {};
  const e = isObject(body.error) ? body.error : null;
  if (res.status >= 200 && res.status < 300 && !e) return null;
  const message = truncate(str(e?.message) ?? `HTTP ${res.status}`);
  const code = typeof e?.code === 'number' ? e.code : null;
  const subcode = typeof e?.error_subcode === 'number' ? e.error_subcode : null;
  const usage = metaUsage(res.headers);
  const regainAt = usage && usage.regainMinutes > 0 ? now + usage.regainMinutes * 60_000 : null;
  const err = (kind: ErrorKind, extra: Partial<ResponseError> = {}): ResponseError => ({
    kind,
    retryAt: null,
    message,
    ...extra,
  });
  if (code === 190 || code === 102) {
    if (subcode === 463 || /expired/i.test(message)) return err('auth_expired');
    if (subcode !== null && REVOKED_SUBCODES.has(subcode)) return err('auth_revoked');
    return err('auth_invalid');
  }
  if (code === 104) return err('auth_invalid');
  if (code !== null && THROTTLE_CODES.has(code)) return err('rate_limited', { retryAt: regainAt });
  if (code === 803) {
    const ids = /do not exist:\s*(.+)$/.exec(message)?.[1];
    return err('not_found', {
      missingIds: ids
        ? ids
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    });
  }
  if (code === 100 && subcode === 33) return err('not_found');
  if (code === 100) {
    const m = RETIRED.exec(message);
    if (m) {
      const index = m[1] === undefined ? null : Number(m[1]);
      const named = requestedMetrics.find((name) => new RegExp(`\\b${name}\\b`).test(message));
      const metric = index !== null ? requestedMetrics[index] : named;
      return err('metric_retired', metric ? { metric } : {});
    }
    return err('bad_request');
  }
  if (code === 10) return err(/not enough viewers/i.test(message) ? 'not_ready' : 'auth_invalid');
  if (code !== null && code >= 200 && code < 300) return err('auth_invalid');
  if (res.status >= 500 || code === 1 || code === 2) return err('server_error');
  if (res.status === 404) return err('not_found');
  return err('bad_request');
}

/** `{"a": {...}, "b": {...}}` from `?ids=a,b`, or one object: entries of [id, object]. */
function entries(body: unknown, single: (o: Json) => string | null): Array<[string, Json]> {
  if (!isObject(body)) return [];
  const id = single(body);
  if (id !== null) return [[id, body]];
  return Object.entries(body).filter((e): e is [string, Json] => isObject(e[1]));
}

/** Insight rows → name → lifetime value (number or object). */
function insightValues(data: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const row of asArray(data)) {
    if (!isObject(row) || typeof row.name !== 'string') continue;
    const values = asArray(row.values);
    const last = values[values.length - 1];
    if (isObject(last) && 'value' in last) out.set(row.name, last.value);
  }
  return out;
}

function insightsOwner(o: Json): string | null {
  for (const row of asArray(o.data)) {
    const id = isObject(row) ? str(row.id) : null;
    const owner = id?.split('/insights/')[0];
    if (owner) return owner;
  }
  return null;
}

// ---------- Facebook ----------

export function facebookInsightMetrics(values: Map<string, unknown>): Partial<PostMetrics> {
  const m: Partial<PostMetrics> = {};
  const num = (name: string) => (values.has(name) ? count(values.get(name)) : undefined);
  const views = num('post_media_view') ?? num('post_impressions');
  if (views !== undefined) m.impressions = views;
  const viewers = num('post_total_media_view_unique') ?? num('post_impressions_unique');
  if (viewers !== undefined) m.reach = viewers;
  const clicks = num('post_clicks');
  if (clicks !== undefined) m.clicks = clicks;
  const video = num('post_video_views');
  if (video !== undefined) m.video_views = video;
  if (values.has('post_reactions_by_type_total')) {
    // Only non-zero reaction types are listed: a missing `like` is 0 likes, not unknown.
    const byType = values.get('post_reactions_by_type_total');
    if (isObject(byType)) {
      let total = 0;
      for (const v of Object.values(byType)) total += count(v) ?? 0;
      m.reactions_count = total;
      m.likes_count = count(byType.like) ?? 0;
    }
  }
  return m;
}

/** Counts a post node carries: shares (absent = 0 when engagement was asked), comments, reactions. */
export function facebookFieldMetrics(o: Json): Partial<PostMetrics> {
  const m: Partial<PostMetrics> = {};
  const engagementAsked = 'comments' in o || 'reactions' in o || 'shares' in o;
  if (engagementAsked) m.shares_count = isObject(o.shares) ? count(o.shares.count) : 0;
  if (isObject(o.comments) && isObject(o.comments.summary))
    m.comments_count = count(o.comments.summary.total_count);
  if (isObject(o.reactions) && isObject(o.reactions.summary))
    m.reactions_count = count(o.reactions.summary.total_count);
  return m;
}

function facebookContentType(o: Json): ContentType {
  const att = isObject(o.attachments) ? asArray(o.attachments.data)[0] : undefined;
  const mediaType = isObject(att) ? (str(att.media_type) ?? str(att.type)) : null;
  switch (mediaType) {
    case 'video':
    case 'video_inline':
    case 'video_autoplay':
      return 'video';
    case 'album':
      return 'carousel';
    case 'photo':
      return 'image';
    case 'link':
    case 'share':
      return 'link';
  }
  switch (str(o.status_type)) {
    case 'added_video':
      return 'video';
    case 'added_photos':
      return 'image';
    case 'shared_story':
      return 'link';
  }
  return 'text';
}

export function facebookPostAttributes(o: Json): PostMetricsSnapshot['post'] {
  const published = toIso(o.created_time);
  if (!published) return null;
  const text = str(o.message);
  return {
    published_at: published,
    content_type: facebookContentType(o),
    content_text: text,
    hashtags: hashtagsOf(text),
    platform_post_url: str(o.permalink_url),
  };
}

function normalizeMetaItems(
  res: RawResponse,
  ctx: NormalizeContext,
  fn: (id: string, o: Json, out: Normalized) => void,
  single: (o: Json) => string | null,
): Normalized {
  const error = metaError(res, Date.parse(ctx.observed_at), ctx.requested_metrics);
  if (error) return failed(error);
  const out = emptyNormalized();
  for (const [id, o] of entries(res.body, single)) fn(id, o, out);
  const seen = new Set([
    ...out.snapshots.map((s) => s.platform_post_id),
    ...out.itemErrors.map((e) => e.platform_post_id),
  ]);
  for (const id of ctx.requested_ids ?? [])
    if (!seen.has(id)) out.itemErrors.push({ platform_post_id: id, kind: 'not_found' });
  return out;
}

const singleInsights = (fallback: string | undefined) => (o: Json) =>
  Array.isArray(o.data) ? (insightsOwner(o) ?? fallback ?? null) : null;

/** `/{post}/insights` or `/insights?ids=`. */
export function normalizeFacebookInsights(res: RawResponse, ctx: NormalizeContext): Normalized {
  return normalizeMetaItems(
    res,
    ctx,
    (id, o, out) => {
      out.snapshots.push(
        postSnapshot(ctx, 'facebook', id, null, facebookInsightMetrics(insightValues(o.data))),
      );
    },
    singleInsights(ctx.requested_ids?.[0]),
  );
}

/** `/{post}?fields=` or `/?ids=&fields=`. */
export function normalizeFacebookFields(res: RawResponse, ctx: NormalizeContext): Normalized {
  return normalizeMetaItems(
    res,
    ctx,
    (id, o, out) => {
      out.snapshots.push(
        postSnapshot(ctx, 'facebook', id, facebookPostAttributes(o), facebookFieldMetrics(o)),
      );
    },
    (o) => (typeof o.id === 'string' && !Array.isArray(o.data) ? o.id : null),
  );
}

/** `/{page}/published_posts`: one snapshot per post, metrics only where the fields carried them. */
export function normalizeFacebookPublishedPosts(res: RawResponse, ctx: NormalizeContext): Normalized {
  const error = metaError(res, Date.parse(ctx.observed_at));
  if (error) return failed(error);
  const out = emptyNormalized();
  const body = isObject(res.body) ? res.body : {};
  for (const o of asArray(body.data)) {
    if (!isObject(o) || typeof o.id !== 'string') continue;
    out.snapshots.push(
      postSnapshot(ctx, 'facebook', o.id, facebookPostAttributes(o), facebookFieldMetrics(o)),
    );
  }
  return out;
}

// ---------- Instagram ----------

export function instagramInsightMetrics(
  values: Map<string, unknown>,
  mediaType: string | null,
): Partial<PostMetrics> {
  const m: Partial<PostMetrics> = {};
  const set = (field: keyof PostMetrics, name: string) => {
    if (values.has(name)) m[field] = count(values.get(name));
  };
  set('reach', 'reach');
  set('impressions', 'views');
  set('likes_count', 'likes');
  set('comments_count', 'comments');
  set('shares_count', 'shares');
  set('saves_count', 'saved');
  if (values.has('views') && (mediaType === 'VIDEO' || mediaType === 'REELS'))
    m.video_views = count(values.get('views'));
  if (values.has('ig_reels_video_view_total_time')) {
    const ms = count(values.get('ig_reels_video_view_total_time'));
    m.video_watch_time = ms === null ? null : Math.round(ms / 1000);
  }
  return m;
}

/** `/{media}/insights` or `/insights?ids=`; `{"data": []}` means not ready yet (unknown, not 0). */
export function normalizeInstagramInsights(
  res: RawResponse,
  ctx: NormalizeContext,
  mediaTypes: ReadonlyMap<string, string> = new Map(),
): Normalized {
  return normalizeMetaItems(
    res,
    ctx,
    (id, o, out) => {
      if (asArray(o.data).length === 0) {
        out.itemErrors.push({ platform_post_id: id, kind: 'not_ready' });
        return;
      }
      const metrics = instagramInsightMetrics(insightValues(o.data), mediaTypes.get(id) ?? null);
      out.snapshots.push(postSnapshot(ctx, 'instagram', id, null, metrics));
    },
    singleInsights(ctx.requested_ids?.[0]),
  );
}

function instagramContentType(o: Json): ContentType {
  if (o.media_type === 'VIDEO' || o.media_product_type === 'REELS') return 'video';
  if (o.media_type === 'CAROUSEL_ALBUM') return 'carousel';
  return 'image';
}

export function instagramPostAttributes(o: Json): PostMetricsSnapshot['post'] {
  const published = toIso(o.timestamp);
  if (!published) return null;
  const text = str(o.caption);
  return {
    published_at: published,
    content_type: instagramContentType(o),
    content_text: text,
    hashtags: hashtagsOf(text),
    platform_post_url: str(o.permalink),
  };
}

/** like_count is omitted when the owner hides likes: unknown, not 0. */
export function instagramFieldMetrics(o: Json): Partial<PostMetrics> {
  const m: Partial<PostMetrics> = {};
  if ('like_count' in o) m.likes_count = count(o.like_count);
  if ('comments_count' in o) m.comments_count = count(o.comments_count);
  return m;
}

/** `/{ig-user}/media` list, one `/{media}?fields=` node, or `/?ids=&fields=`. */
export function normalizeInstagramMedia(res: RawResponse, ctx: NormalizeContext): Normalized {
  const body = isObject(res.body) ? res.body : {};
  if (Array.isArray(body.data)) {
    const error = metaError(res, Date.parse(ctx.observed_at));
    if (error) return failed(error);
    const out = emptyNormalized();
    for (const o of body.data) {
      if (!isObject(o) || typeof o.id !== 'string') continue;
      out.snapshots.push(
        postSnapshot(ctx, 'instagram', o.id, instagramPostAttributes(o), instagramFieldMetrics(o)),
      );
    }
    return out;
  }
  return normalizeMetaItems(
    res,
    ctx,
    (id, o, out) => {
      out.snapshots.push(
        postSnapshot(ctx, 'instagram', id, instagramPostAttributes(o), instagramFieldMetrics(o)),
      );
    },
    (o) => (typeof o.id === 'string' ? o.id : null),
  );
}

/** Page or IG user node with followers_count (and follows_count / media_count on Instagram). */
export function normalizeMetaAccount(res: RawResponse, ctx: NormalizeContext): Normalized {
  const error = metaError(res, Date.parse(ctx.observed_at));
  if (error) return failed(error);
  const o = isObject(res.body) ? res.body : {};
  return {
    ...emptyNormalized(),
    account: accountSnapshot(ctx, {
      followers_count: count(o.followers_count),
      following_count: 'follows_count' in o ? count(o.follows_count) : null,
      posts_count: 'media_count' in o ? count(o.media_count) : null,
    }),
  };
}
