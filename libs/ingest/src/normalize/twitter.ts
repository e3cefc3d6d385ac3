// X API v2: GET /2/tweets?ids= (lookup) and GET /2/users/:id/tweets (timeline) share one shape.
import type { PostMetricsSnapshot } from '@postpulse/contracts';
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
  nextUtcMonth,
  postSnapshot,
  str,
  sum,
  toIso,
  truncate,
} from './common.js';

/** X error answers: 401 auth, 429 window or monthly cap, 5xx; reset comes from x-rate-limit-reset. */
export function twitterError(res: RawResponse, now: number): ResponseError | null {
  if (res.status >= 200 && res.status < 300) return null;
  const body = isObject(res.body) ? res.body : {};
  const type = str(body.type) ?? '';
  const detail = str(body.detail) ?? str(body.title) ?? `HTTP ${res.status}`;
  const reset = Number(res.headers['x-rate-limit-reset']);
  const resetAt = Number.isFinite(reset) && reset > 0 ? reset * 1000 : null;
  if (res.status === 429) {
    if (type.endsWith('usage-capped')) {
      return { kind: 'quota_exhausted', retryAt: nextUtcMonth(now), message: truncate(detail) };
    }
    return { kind: 'rate_limited', retryAt: resetAt, message: truncate(detail) };
  }
  if (res.status === 401) {
    const kind = /expired/i.test(detail)
      ? 'auth_expired'
      : /revoked/i.test(detail)
        ? 'auth_revoked'
        : 'auth_invalid';
    return { kind, retryAt: null, message: truncate(detail) };
  }
  if (res.status === 403) return { kind: 'auth_invalid', retryAt: null, message: truncate(detail) };
  if (res.status === 404) return { kind: 'not_found', retryAt: null, message: truncate(detail) };
  if (res.status >= 500) return { kind: 'server_error', retryAt: null, message: truncate(detail) };
  return { kind: 'bad_request', retryAt: null, message: truncate(detail) };
}

function contentType(tweet: Json, media: Map<string, Json>): ContentType {
  const keys = asArray(isObject(tweet.attachments) ? tweet.attachments.media_keys : undefined).filter(
    (k): k is string => typeof k === 'string',
  );
  const types = keys.map((k) => str(media.get(k)?.type));
  if (types.some((t) => t === 'video' || t === 'animated_gif')) return 'video';
  if (keys.length > 1) return 'carousel';
  if (keys.length === 1) return 'image';
  const urls = asArray(isObject(tweet.entities) ? tweet.entities.urls : undefined);
  return urls.length > 0 ? 'link' : 'text';
}

/**
 * One snapshot per tweet in `data`; one item error per `errors[]` entry with a resource id
 * (a deleted tweet). Private metrics (clicks, non-public impressions) are null when X leaves them
 * out (tweets older than 30 days or not the caller's): unknown, not 0.
 */
export function normalizeTweets(
  res: RawResponse,
  ctx: NormalizeContext,
  now = Date.parse(ctx.observed_at),
): Normalized {
  const error = twitterError(res, now);
  if (error) return failed(error);
  const out = emptyNormalized();
  const body = isObject(res.body) ? res.body : {};
  const media = new Map<string, Json>();
  const includes = isObject(body.includes) ? body.includes : {};
  for (const m of asArray(includes.media)) {
    if (isObject(m) && typeof m.media_key === 'string') media.set(m.media_key, m);
  }
  for (const raw of asArray(body.data)) {
    if (!isObject(raw)) continue;
    const id = str(raw.id);
    if (!id) continue;
    const pub = isObject(raw.public_metrics) ? raw.public_metrics : {};
    const priv = isObject(raw.non_public_metrics) ? raw.non_public_metrics : {};
    const retweets = count(pub.retweet_count);
    const quotes = count(pub.quote_count);
    const keys = asArray(isObject(raw.attachments) ? raw.attachments.media_keys : undefined);
    const videos = keys
      .map((k) => (typeof k === 'string' ? media.get(k) : undefined))
      .filter((m): m is Json => m !== undefined && (m.type === 'video' || m.type === 'animated_gif'));
    const videoViews =
      videos.length === 0
        ? null
        : sum(
            ...videos.map((m) => count(isObject(m.public_metrics) ? m.public_metrics.view_count : undefined)),
          );
    const text = typeof raw.text === 'string' ? raw.text : null;
    const published = toIso(raw.created_at);
    const tags = asArray(isObject(raw.entities) ? raw.entities.hashtags : undefined)
      .map((h) => (isObject(h) ? str(h.tag)?.toLowerCase() : null))
      .filter((t): t is string => typeof t === 'string');
    const post: PostMetricsSnapshot['post'] = published
      ? {
          published_at: published,
          content_type: contentType(raw, media),
          content_text: text,
          hashtags: tags.length > 0 ? [...new Set(tags)] : hashtagsOf(text),
          platform_post_url: `https://x.com/i/web/status/${id}`,
        }
      : null;
    out.snapshots.push(
      postSnapshot(ctx, 'twitter', id, post, {
        impressions: count(priv.impression_count) ?? count(pub.impression_count),
        clicks: count(priv.url_link_clicks),
        likes_count: count(pub.like_count),
        comments_count: count(pub.reply_count),
        retweets_count: retweets,
        quote_tweets_count: quotes,
        shares_count: sum(retweets, quotes),
        saves_count: count(pub.bookmark_count),
        video_views: videoViews,
      }),
    );
  }
  for (const e of asArray(body.errors)) {
    if (!isObject(e)) continue;
    const id = str(e.resource_id) ?? str(e.value);
    if (!id || e.resource_type === 'user') continue;
    const type = str(e.type) ?? '';
    const kind =
      type.endsWith('resource-not-found') || type.endsWith('not-authorized-for-resource')
        ? 'not_found'
        : 'bad_request';
    out.itemErrors.push({ platform_post_id: id, kind });
  }
  const seen = new Set([
    ...out.snapshots.map((s) => s.platform_post_id),
    ...out.itemErrors.map((e) => e.platform_post_id),
  ]);
  for (const id of ctx.requested_ids ?? []) {
    if (!seen.has(id)) out.itemErrors.push({ platform_post_id: id, kind: 'not_found' });
  }
  return out;
}

/** GET /2/users/:id?user.fields=public_metrics → followers, following, tweet count. */
export function normalizeTwitterUser(res: RawResponse, ctx: NormalizeContext): Normalized {
  const error = twitterError(res, Date.parse(ctx.observed_at));
  if (error) return failed(error);
  const body = isObject(res.body) ? res.body : {};
  const data = isObject(body.data) ? body.data : null;
  if (!data) return failed({ kind: 'not_found', retryAt: null, message: 'user not found' });
  const pm = isObject(data.public_metrics) ? data.public_metrics : {};
  return {
    ...emptyNormalized(),
    account: accountSnapshot(ctx, {
      followers_count: count(pm.followers_count),
      following_count: count(pm.following_count),
      posts_count: count(pm.tweet_count),
    }),
  };
}
