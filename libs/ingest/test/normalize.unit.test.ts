import { readFileSync } from 'node:fs';
import { postMetricsSnapshotSchema } from '@postpulse/contracts';
import { describe, expect, it } from 'vitest';
import {
  type LinkedInAnomaly,
  metaUsage,
  type NormalizeContext,
  normalizeFacebookFields,
  normalizeFacebookInsights,
  normalizeFacebookPublishedPosts,
  normalizeInstagramInsights,
  normalizeInstagramMedia,
  normalizeLinkedInPosts,
  normalizeResponse,
  normalizeShareStatistics,
  normalizeSocialMetadata,
  normalizeTweets,
  type RawResponse,
} from '../src/index.js';

const fixtures = (name: string): Record<string, RawResponse> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));
const x = fixtures('twitter');
const li = fixtures('linkedin');
const fb = fixtures('facebook');
const ig = fixtures('instagram');

const get = (set: Record<string, RawResponse>, key: string): RawResponse => {
  const r = set[key];
  if (!r) throw new Error(`no fixture ${key}`);
  return r;
};

const observed = '2026-11-20T10:00:00.000Z';
const ctx = (
  platform: NormalizeContext['platform'],
  extra: Partial<NormalizeContext> = {},
): NormalizeContext => ({
  tenant_id: '6f1c2a3e-9b7d-4c5e-8f0a-1b2c3d4e5f60',
  platform,
  account_id: 'acct',
  observed_at: observed,
  ...extra,
});

describe('X tweets', () => {
  it('maps public, private and media metrics; a deleted tweet is an item error', () => {
    const n = normalizeTweets(
      get(x, 'lookup'),
      ctx('twitter', {
        requested_ids: ['1991234567890123456', '1801234567890123456', '1701234567890123456'],
      }),
    );
    expect(n.error).toBeNull();
    const [young, old] = n.snapshots;
    expect(young?.metrics).toEqual({
      impressions: 10421,
      reach: null,
      clicks: 88,
      likes_count: 240,
      comments_count: 5,
      shares_count: 15,
      saves_count: 9,
      reactions_count: null,
      retweets_count: 12,
      quote_tweets_count: 3,
      video_views: 5120,
      video_watch_time: null,
    });
    expect(young?.post).toMatchObject({
      content_type: 'video',
      hashtags: ['ai', 'growth'],
      published_at: '2026-11-18T15:04:05.000Z',
    });
    // Older than 30 days: X leaves private metrics out, so clicks are unknown, not 0.
    expect(old?.metrics).toMatchObject({
      impressions: 310,
      clicks: null,
      likes_count: 7,
      shares_count: 0,
      video_views: null,
    });
    expect(n.itemErrors).toEqual([{ platform_post_id: '1701234567890123456', kind: 'not_found' }]);
    for (const s of n.snapshots) expect(postMetricsSnapshotSchema.safeParse(s).success).toBe(true);
  });

  it('event ids are deterministic per post and observation', () => {
    const a = normalizeTweets(get(x, 'lookup'), ctx('twitter'));
    const b = normalizeTweets(get(x, 'lookup'), ctx('twitter'));
    expect(a.snapshots.map((s) => s.event_id)).toEqual(b.snapshots.map((s) => s.event_id));
    const c = normalizeTweets(get(x, 'lookup'), ctx('twitter', { observed_at: '2026-11-20T11:00:00Z' }));
    expect(c.snapshots[0]?.event_id).not.toBe(a.snapshots[0]?.event_id);
  });

  it('no data means no snapshots, not zeros', () => {
    expect(normalizeTweets(get(x, 'empty'), ctx('twitter'))).toEqual({
      snapshots: [],
      itemErrors: [],
      error: null,
    });
  });

  it('classifies errors: window, monthly cap, auth, outage', () => {
    expect(normalizeTweets(get(x, 'rateLimited'), ctx('twitter')).error).toMatchObject({
      kind: 'rate_limited',
      retryAt: 1795000900_000,
    });
    expect(normalizeTweets(get(x, 'usageCapped'), ctx('twitter')).error).toMatchObject({
      kind: 'quota_exhausted',
      retryAt: Date.UTC(2026, 11, 1),
    });
    expect(normalizeTweets(get(x, 'unauthorized'), ctx('twitter')).error?.kind).toBe('auth_invalid');
    expect(normalizeTweets(get(x, 'serverError'), ctx('twitter')).error?.kind).toBe('server_error');
  });
});

describe('LinkedIn', () => {
  it('share statistics keyed by share or ugcPost; negative likes are unknown; missing URNs not ready', () => {
    const anomalies: LinkedInAnomaly[] = [];
    const n = normalizeShareStatistics(
      get(li, 'shareStatistics'),
      ctx('linkedin', {
        requested_ids: [
          'urn:li:share:7100000000000000001',
          'urn:li:ugcPost:7100000000000000002',
          'urn:li:share:7100000000000000003',
        ],
      }),
      anomalies,
    );
    expect(n.snapshots.map((s) => s.platform_post_id)).toEqual([
      'urn:li:share:7100000000000000001',
      'urn:li:ugcPost:7100000000000000002',
    ]);
    expect(n.snapshots[0]?.metrics).toMatchObject({
      impressions: 5678,
      reach: 4521,
      clicks: 89,
      likes_count: 234,
      comments_count: 45,
      shares_count: 12,
      reactions_count: null,
    });
    expect(n.snapshots[1]?.metrics.likes_count).toBeNull();
    expect(anomalies).toEqual([
      { platform_post_id: 'urn:li:ugcPost:7100000000000000002', field: 'likeCount', value: -1 },
    ]);
    expect(n.itemErrors).toEqual([
      { platform_post_id: 'urn:li:share:7100000000000000003', kind: 'not_ready' },
    ]);
  });

  it('social metadata sums reactions of every type; a 404 is a deleted post', () => {
    const n = normalizeSocialMetadata(get(li, 'socialMetadataBatch'), ctx('linkedin'));
    expect(
      n.snapshots.map((s) => [
        s.platform_post_id,
        s.metrics.reactions_count,
        s.metrics.comments_count,
        s.metrics.likes_count,
      ]),
    ).toEqual([
      ['urn:li:share:7100000000000000001', 234, 45, null],
      ['urn:li:ugcPost:7100000000000000002', 0, 0, null],
    ]);
    expect(n.itemErrors).toEqual([
      { platform_post_id: 'urn:li:share:7100000000000000009', kind: 'not_found' },
    ]);
  });

  it('posts carry attributes only, little text unescaped', () => {
    const n = normalizeLinkedInPosts(get(li, 'posts'), ctx('linkedin'));
    expect(n.snapshots.map((s) => s.post?.content_type)).toEqual(['video', 'link', 'carousel']);
    expect(n.snapshots[0]?.post).toMatchObject({
      content_text: 'How to scale your business #growth #AI',
      hashtags: ['growth', 'ai'],
      published_at: '2025-11-18T15:04:05.000Z',
    });
    expect(n.snapshots[2]?.post?.content_text).toBeNull();
    expect(Object.values(n.snapshots[0]?.metrics ?? {}).every((v) => v === null)).toBe(true);
  });

  it('a 429 is a day throttle until 00:00 UTC; expired and revoked tokens are told apart', () => {
    expect(normalizeShareStatistics(get(li, 'throttled'), ctx('linkedin')).error).toMatchObject({
      kind: 'rate_limited',
      retryAt: Date.UTC(2026, 10, 21),
    });
    expect(normalizeSocialMetadata(get(li, 'expired'), ctx('linkedin')).error?.kind).toBe('auth_expired');
    expect(normalizeSocialMetadata(get(li, 'revoked'), ctx('linkedin')).error?.kind).toBe('auth_revoked');
  });
});

describe('Facebook', () => {
  it('insights: views, viewers, clicks, reactions by type (missing like = 0)', () => {
    const single = normalizeFacebookInsights(get(fb, 'insightsSingle'), ctx('facebook'));
    expect(single.snapshots[0]?.platform_post_id).toBe('102938475610_556677889900');
    expect(single.snapshots[0]?.metrics).toMatchObject({
      impressions: 5678,
      reach: 4521,
      clicks: 89,
      likes_count: 200,
      reactions_count: 234,
      video_views: 0,
      comments_count: null,
      shares_count: null,
    });
    const ids = normalizeFacebookInsights(get(fb, 'insightsIds'), ctx('facebook'));
    expect(
      ids.snapshots.map((s) => [
        s.platform_post_id,
        s.metrics.impressions,
        s.metrics.likes_count,
        s.metrics.reactions_count,
      ]),
    ).toEqual([
      ['102938475610_1', 10, 0, 2],
      ['102938475610_2', 20, null, null],
    ]);
  });

  it('fields: absent shares means 0, comments and reactions from summaries', () => {
    const n = normalizeFacebookFields(get(fb, 'fieldsIds'), ctx('facebook'));
    expect(
      n.snapshots.map((s) => [s.metrics.shares_count, s.metrics.comments_count, s.metrics.reactions_count]),
    ).toEqual([
      [3, 7, 2],
      [0, 0, 0],
    ]);
  });

  it('published posts: attributes, missing message is null text, metrics unknown', () => {
    const n = normalizeFacebookPublishedPosts(get(fb, 'publishedPosts'), ctx('facebook'));
    expect(
      n.snapshots.map((s) => [s.post?.content_type, s.post?.content_text, s.post?.published_at]),
    ).toEqual([
      ['video', 'Big news #launch', '2026-11-18T15:04:05.000Z'],
      ['image', null, '2026-11-17T09:00:00.000Z'],
    ]);
    expect(n.snapshots[1]?.metrics.shares_count).toBeNull();
  });

  it('errors: retired metric, auth (expired vs revoked), missing ids, page throttle with regain time', () => {
    expect(normalizeFacebookInsights(get(fb, 'retired'), ctx('facebook')).error?.kind).toBe('metric_retired');
    expect(normalizeFacebookInsights(get(fb, 'expired'), ctx('facebook')).error?.kind).toBe('auth_expired');
    expect(normalizeFacebookInsights(get(fb, 'revoked'), ctx('facebook')).error?.kind).toBe('auth_revoked');
    expect(normalizeFacebookInsights(get(fb, 'missing'), ctx('facebook')).error).toMatchObject({
      kind: 'not_found',
      missingIds: ['102938475610_9', '102938475610_8'],
    });
    expect(normalizeFacebookFields(get(fb, 'throttled'), ctx('facebook')).error).toMatchObject({
      kind: 'rate_limited',
      retryAt: Date.parse(observed) + 17 * 60_000,
    });
    expect(metaUsage(get(fb, 'throttled').headers)).toEqual({ percent: 100, regainMinutes: 17 });
  });
});

describe('Instagram', () => {
  it('insights: data [] is not ready (no zeros); views feed impressions and, for videos, video views', () => {
    const n = normalizeInstagramInsights(
      get(ig, 'insightsIds'),
      ctx('instagram'),
      new Map([['17900000000000001', 'VIDEO']]),
    );
    expect(n.snapshots).toHaveLength(1);
    expect(n.snapshots[0]?.metrics).toEqual({
      impressions: 1500,
      reach: 900,
      clicks: null,
      likes_count: 80,
      comments_count: 6,
      shares_count: 2,
      saves_count: 11,
      reactions_count: null,
      retweets_count: null,
      quote_tweets_count: null,
      video_views: 1500,
      video_watch_time: null,
    });
    expect(n.itemErrors).toEqual([{ platform_post_id: '17900000000000002', kind: 'not_ready' }]);
  });

  it('media: hidden likes are unknown, types and captions mapped', () => {
    const n = normalizeInstagramMedia(get(ig, 'media'), ctx('instagram'));
    expect(
      n.snapshots.map((s) => [
        s.post?.content_type,
        s.metrics.likes_count,
        s.metrics.comments_count,
        s.post?.hashtags,
      ]),
    ).toEqual([
      ['video', 80, 6, ['design']],
      ['carousel', null, 0, []],
    ]);
  });

  it('errors: an invalid metric is named by index; few viewers is not ready', () => {
    const n = normalizeInstagramInsights(
      get(ig, 'badMetric'),
      ctx('instagram', { requested_metrics: ['reach', 'impressions', 'likes'] }),
    );
    expect(n.error).toMatchObject({ kind: 'metric_retired', metric: 'impressions' });
    expect(normalizeInstagramInsights(get(ig, 'notEnoughViewers'), ctx('instagram')).error?.kind).toBe(
      'not_ready',
    );
  });
});

it('normalizeResponse rejects unknown sources', () => {
  expect(() => normalizeResponse('twitter', 'nope', get(x, 'empty'), ctx('twitter'))).toThrow(
    /one of: tweets/,
  );
});
