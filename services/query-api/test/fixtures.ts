import { randomUUID } from 'node:crypto';
import type { AccountMetricsSnapshot, Platform, PostMetricsSnapshot } from '@postpulse/contracts';

/** A small deterministic PRNG, so every run writes the same data. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const platformsCycle: Platform[] = ['linkedin', 'twitter', 'facebook', 'instagram'];
const types = ['text', 'image', 'video', 'link', 'carousel'] as const;
const tagPool = ['growth', 'Growth', 'ai', 'tips', 'launch'];

export interface TenantData {
  tenantId: string;
  /** Unique to this tenant, inside every platform_post_id and text, to spot leaks in any response. */
  marker: string;
  posts: PostMetricsSnapshot[];
  accounts: AccountMetricsSnapshot[];
}

/**
 * `count` posts published from `start` over `days` days, each observed three times (1 h, 5 h and 30 h after
 * publication) with growing totals. Every ninth post never reports impressions; every seventh post's last
 * observation does not report clicks.
 */
export function tenantData(opts: {
  tenantId: string;
  marker: string;
  count: number;
  start: number;
  days: number;
  seed: number;
}): TenantData {
  const rnd = prng(opts.seed);
  const posts: PostMetricsSnapshot[] = [];
  for (let i = 0; i < opts.count; i++) {
    const platform = platformsCycle[i % 4] ?? 'linkedin';
    const published = opts.start + Math.floor(rnd() * opts.days * 86_400_000);
    const textLen = 10 + Math.floor(rnd() * 400);
    const text = `${opts.marker} post ${i} ${'x'.repeat(textLen)}`;
    const tags = tagPool.filter(() => rnd() < 0.4);
    const base = 200 + Math.floor(rnd() * 5000);
    const noImpressions = i % 9 === 0;
    const offsets = [1, 5, 30];
    offsets.forEach((h, k) => {
      const grow = k + 1;
      posts.push({
        schema_version: 1,
        event_id: randomUUID(),
        tenant_id: opts.tenantId,
        platform,
        account_id: `${opts.marker}-acct-${platform}`,
        platform_post_id: `${opts.marker}-${i}`,
        observed_at: new Date(published + h * 3_600_000).toISOString(),
        post:
          k === 0
            ? {
                published_at: new Date(published).toISOString(),
                content_type: types[i % types.length] ?? 'text',
                content_text: text,
                hashtags: tags,
                platform_post_url: `https://example.com/${opts.marker}/${i}`,
              }
            : null,
        metrics: {
          impressions: noImpressions ? null : base * grow,
          reach: noImpressions ? null : Math.floor(base * grow * 0.8),
          clicks: i % 7 === 0 && k === 2 ? null : Math.floor(base * grow * 0.01) + (i % 3),
          likes_count: Math.floor(base * grow * 0.03) + (i % 5),
          comments_count: Math.floor(base * grow * 0.004) + (i % 2),
          shares_count: Math.floor(base * grow * 0.002),
          saves_count: null,
          reactions_count: null,
          retweets_count: null,
          quote_tweets_count: null,
          video_views: null,
          video_watch_time: null,
        },
      });
    });
  }
  return { tenantId: opts.tenantId, marker: opts.marker, posts, accounts: [] };
}

export function accountEvent(
  tenantId: string,
  platform: Platform,
  accountId: string,
  at: string,
  followers: number,
): AccountMetricsSnapshot {
  return {
    schema_version: 1,
    event_id: randomUUID(),
    tenant_id: tenantId,
    platform,
    account_id: accountId,
    observed_at: at,
    metrics: { followers_count: followers, following_count: null, posts_count: null },
  };
}
