// The planted truth in the snake_case JSON the rest of PostPulse speaks.
import { metaTime, xTime } from './formats.js';
import type { Account, MetricsAt, Post } from './world/model.js';
import {
  CONTENT_TYPE_MULTIPLIER,
  HASHTAG_MULTIPLIER,
  LENGTH_BUCKETS,
  WEEKDAY_HOUR_MULTIPLIER,
  WEEKDAYS,
} from './world/signal.js';
import type { World } from './world/world.js';

export interface TruthAccount {
  tenant_id: string;
  platform: Account['platform'];
  account_id: string;
  /** URN on LinkedIn, else the account id: what the platform APIs take as the author/owner. */
  account_ref: string;
  handle: string;
  name: string;
  timezone: string;
  token: string;
  followers_at_start: number;
  followers_per_day: number;
  posts?: TruthPost[];
}

export interface TruthPost {
  id: string;
  published_at: string;
  content_type: Post['contentType'];
  hashtags: string[];
  text_length: number;
  text: string;
  local_weekday: (typeof WEEKDAYS)[number];
  local_hour: number;
  multiplier: number;
  viral: boolean;
  product_type: Post['productType'];
  likes_hidden: boolean;
  url: string;
}

export interface Truth {
  seed: number;
  anchor: string;
  starts_at: string;
  days: number;
  future_days: number;
  multipliers: {
    /** [weekday 0=monday][local hour] */
    weekday_hour: ReadonlyArray<ReadonlyArray<number>>;
    weekdays: ReadonlyArray<string>;
    content_type: Readonly<Record<string, number>>;
    hashtag: Readonly<Record<string, number>>;
    length: ReadonlyArray<{ min: number; max: number | null; multiplier: number }>;
    note: string;
  };
  accounts: TruthAccount[];
}

export function truthPost(post: Post): TruthPost {
  return {
    id: post.id,
    published_at: post.publishedIso,
    content_type: post.contentType,
    hashtags: [...post.hashtags],
    text_length: post.text.length,
    text: post.text,
    local_weekday: WEEKDAYS[post.weekday] ?? 'monday',
    local_hour: post.hour,
    multiplier: Math.round(post.multiplier * 1e6) / 1e6,
    viral: post.viral,
    product_type: post.productType,
    likes_hidden: post.likesHidden,
    url: post.url,
  };
}

export function buildTruth(world: World, opts: { posts: boolean }): Truth {
  const o = world.options;
  return {
    seed: o.seed,
    anchor: xTime(o.anchor),
    starts_at: xTime(world.startsAt),
    days: o.days,
    future_days: o.futureDays,
    multipliers: {
      weekday_hour: WEEKDAY_HOUR_MULTIPLIER,
      weekdays: WEEKDAYS,
      content_type: CONTENT_TYPE_MULTIPLIER,
      hashtag: HASHTAG_MULTIPLIER,
      length: LENGTH_BUCKETS,
      note: 'Expected engagement rate = platform base rate × weekday_hour × content_type × Π hashtag × length, with log-normal noise (σ 0.25) and ~0.4% viral outliers (×8–40 impressions, ×1.5 rate).',
    },
    accounts: world.accounts.map((a) => {
      const t: TruthAccount = {
        tenant_id: a.tenantId,
        platform: a.platform,
        account_id: a.accountId,
        account_ref: a.accountRef,
        handle: a.handle,
        name: a.name,
        timezone: a.timezone,
        token: a.token,
        followers_at_start: a.followersStart,
        followers_per_day: Math.round(a.followersPerDay * 1000) / 1000,
      };
      if (opts.posts) t.posts = world.posts(a).map(truthPost);
      return t;
    }),
  };
}

export interface TruthMetrics {
  post_id: string;
  platform: Account['platform'];
  at: string;
  published: boolean;
  metrics: MetricsAt;
}

export function truthMetrics(world: World, post: Post, at: number): TruthMetrics {
  return {
    post_id: post.id,
    platform: post.account.platform,
    at:
      post.account.platform === 'facebook' || post.account.platform === 'instagram'
        ? metaTime(at)
        : xTime(at),
    published: post.publishedAt <= at,
    metrics: world.metricsAt(post, at),
  };
}
