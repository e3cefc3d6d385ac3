// LinkedIn /rest: organizationalEntityShareStatistics (metrics), socialMetadata (reactions by type,
// comments) and posts (discovery, attributes). Errors: 401 auth, 429 daily throttle without headers.
import type { PostMetrics, PostMetricsSnapshot } from '@postpulse/contracts';
import {
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
  nextUtcMidnight,
  postSnapshot,
  str,
  toIso,
  truncate,
} from './common.js';

export function linkedinError(res: RawResponse, now: number): ResponseError | null {
  if (res.status >= 200 && res.status < 300) return null;
  const body = isObject(res.body) ? res.body : {};
  const message = str(body.message) ?? `HTTP ${res.status}`;
  const code = str(body.code) ?? '';
  const serviceCode = typeof body.serviceErrorCode === 'number' ? body.serviceErrorCode : null;
  if (res.status === 429) {
    // LinkedIn's throttles are daily and say so; they reset at 00:00 UTC.
    return { kind: 'rate_limited', retryAt: nextUtcMidnight(now), message: truncate(message) };
  }
  if (res.status === 401) {
    const kind =
      code === 'EXPIRED_ACCESS_TOKEN' || serviceCode === 65602 || /expired/i.test(message)
        ? 'auth_expired'
        : code === 'REVOKED_ACCESS_TOKEN' || serviceCode === 65601 || /revoked/i.test(message)
          ? 'auth_revoked'
          : 'auth_invalid';
    return { kind, retryAt: null, message: truncate(message) };
  }
  if (res.status === 403) return { kind: 'auth_invalid', retryAt: null, message: truncate(message) };
  if (res.status === 404) return { kind: 'not_found', retryAt: null, message: truncate(message) };
  if (res.status >= 500) return { kind: 'server_error', retryAt: null, message: truncate(message) };
  return { kind: 'bad_request', retryAt: null, message: truncate(message) };
}

/** Share-statistics fields → snapshot metrics. A negative likeCount is an anomaly: unknown. */
export function linkedinStatisticsMetrics(stats: Json): Partial<PostMetrics> {
  return {
    impressions: count(stats.impressionCount),
    reach: count(stats.uniqueImpressionsCount),
    clicks: count(stats.clickCount),
    likes_count: count(stats.likeCount),
    comments_count: count(stats.commentCount),
    shares_count: count(stats.shareCount),
    video_views: count(stats.videoViews),
  };
}

export interface LinkedInAnomaly {
  platform_post_id: string;
  field: string;
  value: unknown;
}

/**
 * One snapshot per element, keyed by `share` or `ugcPost`. A requested URN missing from
 * `elements` (no statistics yet, or outside the 12-month window) is an item error `not_ready`.
 */
export function normalizeShareStatistics(
  res: RawResponse,
  ctx: NormalizeContext,
  anomalies: LinkedInAnomaly[] = [],
): Normalized {
  const error = linkedinError(res, Date.parse(ctx.observed_at));
  if (error) return failed(error);
  const out = emptyNormalized();
  const body = isObject(res.body) ? res.body : {};
  for (const el of asArray(body.elements)) {
    if (!isObject(el)) continue;
    const urn = str(el.share) ?? str(el.ugcPost);
    const stats = isObject(el.totalShareStatistics) ? el.totalShareStatistics : null;
    if (!urn || !stats) continue;
    if (typeof stats.likeCount === 'number' && stats.likeCount < 0) {
      anomalies.push({ platform_post_id: urn, field: 'likeCount', value: stats.likeCount });
    }
    out.snapshots.push(postSnapshot(ctx, 'linkedin', urn, null, linkedinStatisticsMetrics(stats)));
  }
  const seen = new Set(out.snapshots.map((s) => s.platform_post_id));
  for (const id of ctx.requested_ids ?? []) {
    if (!seen.has(id)) out.itemErrors.push({ platform_post_id: id, kind: 'not_ready' });
  }
  return out;
}

/** socialMetadata → reactions (all types) and comments. */
export function socialMetadataMetrics(meta: Json): Partial<PostMetrics> {
  const summaries = isObject(meta.reactionSummaries) ? meta.reactionSummaries : null;
  let reactions: number | null = null;
  if (summaries) {
    reactions = 0;
    for (const v of Object.values(summaries)) {
      const n = isObject(v) ? count(v.count) : null;
      if (n !== null) reactions += n;
    }
  }
  const comments = isObject(meta.commentSummary) ? count(meta.commentSummary.count) : null;
  return { reactions_count: reactions, comments_count: comments };
}

/** Single (`/socialMetadata/{urn}`) or batch (`?ids=List(...)` → results/statuses/errors). */
export function normalizeSocialMetadata(res: RawResponse, ctx: NormalizeContext): Normalized {
  const error = linkedinError(res, Date.parse(ctx.observed_at));
  if (error) return failed(error);
  const out = emptyNormalized();
  const body = isObject(res.body) ? res.body : {};
  if (isObject(body.results)) {
    for (const [urn, meta] of Object.entries(body.results)) {
      if (isObject(meta))
        out.snapshots.push(postSnapshot(ctx, 'linkedin', urn, null, socialMetadataMetrics(meta)));
    }
    const statuses = isObject(body.statuses) ? body.statuses : {};
    for (const [urn, status] of Object.entries(statuses)) {
      if (status === 404) out.itemErrors.push({ platform_post_id: urn, kind: 'not_found' });
      else if (typeof status === 'number' && status >= 500)
        out.itemErrors.push({ platform_post_id: urn, kind: 'server_error' });
    }
    return out;
  }
  const urn = str(body.entity);
  if (urn) out.snapshots.push(postSnapshot(ctx, 'linkedin', urn, null, socialMetadataMetrics(body)));
  return out;
}

/** LinkedIn "little text": `{hashtag|\#|growth}` → `#growth`, escaped characters unescaped. */
export function unescapeLittleText(text: string): string {
  return text
    .replace(/\{hashtag\|\\?#\|([^}]+)\}/g, '#$1')
    .replace(/@\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\\([\\|{}@[\]()<>#*_~])/g, '$1');
}

function linkedinContentType(post: Json): ContentType {
  const content = isObject(post.content) ? post.content : null;
  if (!content) return 'text';
  if (isObject(content.multiImage) || isObject(content.carousel)) return 'carousel';
  if (isObject(content.article)) return 'link';
  const media = isObject(content.media) ? str(content.media.id) : null;
  if (media?.startsWith('urn:li:video:')) return 'video';
  if (media) return 'image';
  return 'text';
}

export function linkedinPostAttributes(post: Json): PostMetricsSnapshot['post'] {
  const id = str(post.id);
  const published = toIso(post.publishedAt) ?? toIso(post.createdAt);
  if (!id || !published) return null;
  const text = typeof post.commentary === 'string' ? unescapeLittleText(post.commentary) : null;
  return {
    published_at: published,
    content_type: linkedinContentType(post),
    content_text: text === '' ? null : text,
    hashtags: hashtagsOf(text),
    platform_post_url: `https://www.linkedin.com/feed/update/${id}/`,
  };
}

/** /rest/posts?q=author: attributes only; its metrics are all null (posts carries none). */
export function normalizeLinkedInPosts(res: RawResponse, ctx: NormalizeContext): Normalized {
  const error = linkedinError(res, Date.parse(ctx.observed_at));
  if (error) return failed(error);
  const out = emptyNormalized();
  const body = isObject(res.body) ? res.body : {};
  const elements = Array.isArray(body.elements) ? body.elements : isObject(body) && body.id ? [body] : [];
  for (const el of elements) {
    if (!isObject(el)) continue;
    const id = str(el.id);
    if (!id || el.lifecycleState === 'DELETED') continue;
    out.snapshots.push(postSnapshot(ctx, 'linkedin', id, linkedinPostAttributes(el), {}));
  }
  return out;
}

/** networkSizes/{org}?edgeType=COMPANY_FOLLOWED_BY_MEMBER → followers. */
export function normalizeLinkedInNetworkSize(res: RawResponse, ctx: NormalizeContext): Normalized {
  const error = linkedinError(res, Date.parse(ctx.observed_at));
  if (error) return failed(error);
  const body = isObject(res.body) ? res.body : {};
  return {
    ...emptyNormalized(),
    account: accountSnapshot(ctx, {
      followers_count: count(body.firstDegreeSize),
      following_count: null,
      posts_count: null,
    }),
  };
}
