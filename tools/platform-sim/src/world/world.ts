// The deterministic world: accounts are built eagerly (few), posts lazily per account (many),
// every random draw keyed by seed + entity so results never depend on access order.
import { DAY_MS, HOUR_MS } from '../formats.js';
import { Rng } from '../prng.js';
import {
  type Account,
  type ContentType,
  FACEBOOK_REACTIONS,
  type FinalMetrics,
  LINKEDIN_REACTIONS,
  type MetricsAt,
  PLATFORMS,
  type Platform,
  type Post,
} from './model.js';
import {
  BASE_ENGAGEMENT_RATE,
  CONTENT_TYPE_MULTIPLIER,
  CONTENT_TYPE_WEIGHTS,
  CONTENT_TYPES_BY_PLATFORM,
  GROWTH_TAU_HOURS,
  hashtagMultiplier,
  lengthMultiplier,
  POSTING_HOUR_WEIGHT,
  REACH_RATE,
  weekdayHourMultiplier,
} from './signal.js';
import { generateText } from './text.js';
import { localTime } from './timezone.js';

export interface WorldOptions {
  seed: number;
  tenants: number;
  accountsPerPlatform: number;
  postsPerAccount: number;
  /** How far back posts go from `anchor`. */
  days: number;
  /** Posts fall in [anchor - days, anchor + futureDays); future ones appear as the clock reaches them. */
  anchor: number;
  futureDays: number;
}

const TIMEZONES = [
  'America/New_York',
  'Europe/Berlin',
  'America/Los_Angeles',
  'Europe/London',
  'Asia/Tokyo',
  'Australia/Sydney',
  'America/Sao_Paulo',
  'Asia/Kolkata',
  'Europe/Paris',
  'Asia/Singapore',
];

const BRANDS = [
  'Acme',
  'Northwind',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Vandelay',
  'Stark',
  'Wayne',
  'Tyrell',
];
const SUFFIXES = ['Labs', 'Studio', 'Cloud', 'Co', 'Analytics', 'Digital', 'HQ', 'Works'];

const FOLLOWER_BASE: Record<Platform, number> = {
  twitter: 8_000,
  linkedin: 5_000,
  facebook: 12_000,
  instagram: 15_000,
};

const TEXT_LIMIT: Record<Platform, number> = { twitter: 280, linkedin: 700, facebook: 600, instagram: 500 };

// Reactions split by type; order matches LINKEDIN_REACTIONS / FACEBOOK_REACTIONS.
const LINKEDIN_REACTION_SHARE = [0.72, 0.1, 0.05, 0.06, 0.04, 0.03];
const FACEBOOK_REACTION_SHARE = [0.8, 0.1, 0.04, 0.04, 0.01, 0.01];

const X_EPOCH = 1288834974657n;
const TENS = 10n ** 14n;

function uuidFrom(rng: Rng): string {
  const h = rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[rng.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function shortcode(rng: Rng): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  let s = '';
  for (let i = 0; i < 11; i++) s += alphabet[rng.int(0, alphabet.length - 1)];
  return s;
}

/** Saturating growth: ~63 % of lifetime at tau, with a slow long tail so counts keep creeping. */
export function growthFraction(ageMs: number, tauMs: number): number {
  if (ageMs <= 0) return 0;
  return 0.95 * (1 - Math.exp(-ageMs / tauMs)) + 0.05 * Math.min(1, ageMs / (60 * DAY_MS));
}

export class World {
  readonly options: WorldOptions;
  readonly accounts: ReadonlyArray<Account>;
  readonly startsAt: number;
  private readonly accountsByRef = new Map<string, Account>();
  private readonly accountsByToken = new Map<string, Account>();
  private readonly postsByAccount = new Map<string, ReadonlyArray<Post>>();
  private postIndex: Map<string, Post> | null = null;

  constructor(options: WorldOptions) {
    this.options = options;
    this.startsAt = options.anchor - options.days * DAY_MS;
    const accounts: Account[] = [];
    for (let t = 0; t < options.tenants; t++) {
      const tenantRng = Rng.fromKey(options.seed, 'tenant', t);
      const tenantId = uuidFrom(tenantRng);
      const timezone = TIMEZONES[(t + tenantRng.int(0, TIMEZONES.length - 1)) % TIMEZONES.length] ?? 'UTC';
      const brand = `${tenantRng.pick(BRANDS)} ${tenantRng.pick(SUFFIXES)}`;
      for (const platform of PLATFORMS) {
        for (let k = 0; k < options.accountsPerPlatform; k++) {
          accounts.push(this.buildAccount(accounts.length, t, tenantId, timezone, brand, platform, k));
        }
      }
    }
    this.accounts = accounts;
    for (const a of accounts) {
      this.accountsByRef.set(`${a.platform}:${a.accountId}`, a);
      this.accountsByToken.set(a.token, a);
    }
  }

  private buildAccount(
    index: number,
    tenantIndex: number,
    tenantId: string,
    timezone: string,
    brand: string,
    platform: Platform,
    k: number,
  ): Account {
    const rng = Rng.fromKey(this.options.seed, 'account', tenantIndex, platform, k);
    const accountId =
      platform === 'twitter'
        ? `1${rng.digits(18)}`
        : platform === 'linkedin'
          ? String(rng.int(10_000_000, 99_999_999))
          : platform === 'facebook'
            ? `1${rng.digits(14)}`
            : `178414${rng.digits(11)}`;
    const name = k === 0 ? brand : `${brand} ${k + 1}`;
    const handle = name.toLowerCase().replace(/[^a-z0-9]+/g, '');
    const followersStart = Math.round(FOLLOWER_BASE[platform] * rng.logNormal(0.8)) + 50;
    return {
      key: `${platform}:${accountId}`,
      index,
      platform,
      tenantId,
      tenantIndex,
      accountId,
      accountRef: platform === 'linkedin' ? `urn:li:organization:${accountId}` : accountId,
      handle,
      name,
      timezone,
      token: `sim_${platform}_${rng.hex(32)}`,
      followersStart,
      followersPerDay: followersStart * (0.001 + rng.next() * 0.003),
      postCount: this.options.postsPerAccount,
    };
  }

  account(platform: Platform, accountId: string): Account | undefined {
    return this.accountsByRef.get(`${platform}:${accountId}`);
  }

  accountByToken(token: string): Account | undefined {
    return this.accountsByToken.get(token);
  }

  followersAt(account: Account, at: number): number {
    return Math.floor(
      account.followersStart + (account.followersPerDay * Math.max(0, at - this.startsAt)) / DAY_MS,
    );
  }

  /** All posts of an account, newest first, including ones not yet published at the clock's time. */
  posts(account: Account): ReadonlyArray<Post> {
    let posts = this.postsByAccount.get(account.key);
    if (!posts) {
      const built: Post[] = [];
      for (let j = 0; j < account.postCount; j++) built.push(this.buildPost(account, j));
      built.sort((a, b) => b.publishedAt - a.publishedAt || (a.id < b.id ? 1 : -1));
      posts = built;
      this.postsByAccount.set(account.key, posts);
    }
    return posts;
  }

  /** Posts published at or before `at`, newest first (binary search: posts are sorted). */
  publishedPosts(account: Account, at: number): ReadonlyArray<Post> {
    const posts = this.posts(account);
    let lo = 0;
    let hi = posts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((posts[mid]?.publishedAt ?? 0) > at) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? posts : posts.slice(lo);
  }

  post(platform: Platform, id: string): Post | undefined {
    if (!this.postIndex) {
      const index = new Map<string, Post>();
      for (const a of this.accounts) for (const p of this.posts(a)) index.set(`${a.platform}:${p.id}`, p);
      this.postIndex = index;
    }
    return this.postIndex.get(`${platform}:${id}`);
  }

  *allPosts(): Generator<Post> {
    for (const a of this.accounts) yield* this.posts(a);
  }

  totalPosts(): number {
    return this.accounts.length * this.options.postsPerAccount;
  }

  private buildPost(account: Account, index: number): Post {
    const { platform } = account;
    const rng = Rng.fromKey(this.options.seed, 'post', account.key, index);
    const span = this.options.anchor + this.options.futureDays * DAY_MS - this.startsAt;

    // Rejection-sample the instant so local posting hours look like people's working days.
    let publishedAt = this.startsAt + Math.floor(rng.next() * span);
    let local = localTime(account.timezone, publishedAt);
    for (let tries = 0; tries < 20 && !rng.chance(POSTING_HOUR_WEIGHT[local.hour] ?? 1); tries++) {
      publishedAt = this.startsAt + Math.floor(rng.next() * span);
      local = localTime(account.timezone, publishedAt);
    }
    publishedAt = Math.floor(publishedAt / 1000) * 1000;

    const types = CONTENT_TYPES_BY_PLATFORM[platform];
    const contentType = types[rng.weighted(types.map((t) => CONTENT_TYPE_WEIGHTS[t]))] ?? 'text';
    const productType: Post['productType'] =
      platform !== 'instagram'
        ? 'FEED'
        : rng.chance(0.06)
          ? 'STORY'
          : contentType === 'video'
            ? 'REELS'
            : 'FEED';
    const silent =
      (platform === 'facebook' && contentType !== 'text' && rng.chance(0.06)) || productType === 'STORY';
    const generated = silent ? { text: '', hashtags: [] } : generateText(rng, TEXT_LIMIT[platform]);

    const multiplier =
      weekdayHourMultiplier(local.weekday, local.hour) *
      CONTENT_TYPE_MULTIPLIER[contentType] *
      hashtagMultiplier(generated.hashtags) *
      lengthMultiplier(generated.text.length);
    const viral = rng.chance(0.004);
    const final = this.finalMetrics(rng, account, publishedAt, contentType, multiplier, viral, productType);

    const ids = this.postIds(rng, account, publishedAt, contentType);
    return {
      id: ids.id,
      account,
      publishedAt,
      contentType,
      text: generated.text,
      hashtags: generated.hashtags,
      weekday: local.weekday,
      hour: local.hour,
      multiplier,
      viral,
      final,
      tauMs: GROWTH_TAU_HOURS[platform] * HOUR_MS * rng.logNormal(0.3),
      likesHidden: platform === 'instagram' && rng.chance(0.04),
      productType,
      mediaKey: ids.mediaKey,
      url: ids.url,
      publishedIso: new Date(publishedAt).toISOString(),
    };
  }

  private postIds(
    rng: Rng,
    account: Account,
    publishedAt: number,
    contentType: ContentType,
  ): { id: string; mediaKey: string | null; url: string } {
    const seconds = BigInt(Math.floor(publishedAt / 1000));
    switch (account.platform) {
      case 'twitter': {
        // Snowflake: ms since the Twitter epoch above 22 bits of worker/sequence.
        const id = ((BigInt(publishedAt) - X_EPOCH) << 22n) | BigInt(rng.int(0, 4_194_303));
        const hasMedia = contentType === 'image' || contentType === 'video';
        const mediaKey = hasMedia
          ? `${contentType === 'video' ? '13' : '3'}_${(((BigInt(publishedAt) - X_EPOCH) << 22n) | BigInt(rng.int(0, 4_194_303))).toString()}`
          : null;
        return { id: id.toString(), mediaKey, url: `https://x.com/${account.handle}/status/${id}` };
      }
      case 'linkedin': {
        const kind = rng.chance(0.6) ? 'share' : 'ugcPost';
        const n = 7_000_000_000_000_000_000n + seconds * 1_000_000n + BigInt(rng.int(0, 999_999));
        const urn = `urn:li:${kind}:${n}`;
        return { id: urn, mediaKey: null, url: `https://www.linkedin.com/feed/update/${urn}/` };
      }
      case 'facebook': {
        const n = TENS + seconds * 1000n + BigInt(rng.int(0, 999));
        return {
          id: `${account.accountId}_${n}`,
          mediaKey: null,
          url: `https://www.facebook.com/${account.accountId}/posts/${n}`,
        };
      }
      case 'instagram': {
        const n = 17_900_000_000_000_000n + seconds * 1000n + BigInt(rng.int(0, 999));
        return { id: n.toString(), mediaKey: null, url: `https://www.instagram.com/p/${shortcode(rng)}/` };
      }
    }
  }

  private finalMetrics(
    rng: Rng,
    account: Account,
    publishedAt: number,
    contentType: ContentType,
    multiplier: number,
    viral: boolean,
    productType: Post['productType'],
  ): FinalMetrics {
    const { platform } = account;
    const followers = this.followersAt(account, publishedAt);
    const storyDamp = productType === 'STORY' ? 0.02 : 1;
    const impressions = Math.max(
      3,
      Math.round(
        followers * REACH_RATE[platform] * rng.logNormal(0.45) * storyDamp * (viral ? rng.int(8, 40) : 1),
      ),
    );
    const reach = Math.floor(impressions * (0.55 + rng.next() * 0.3));
    const rate = Math.min(
      0.6,
      BASE_ENGAGEMENT_RATE[platform] * multiplier * rng.logNormal(0.25) * (viral ? 1.5 : 1),
    );
    const engagements = impressions * rate;
    const shareOfShares = platform === 'twitter' ? 0.09 : 0.12;
    let likes = Math.round(engagements * 0.78);
    const shareRatios =
      platform === 'linkedin'
        ? LINKEDIN_REACTION_SHARE
        : platform === 'facebook'
          ? FACEBOOK_REACTION_SHARE
          : [];
    const reactions = shareRatios.map((r) => Math.round(likes * r * rng.logNormal(0.2)));
    if (reactions.length > 0) likes = reactions.reduce((s, n) => s + n, 0);
    return {
      impressions,
      reach,
      clicks: Math.round(impressions * 0.012 * (contentType === 'link' ? 3 : 1) * rng.logNormal(0.3)),
      likes,
      comments: Math.round(engagements * 0.1),
      shares: Math.round(engagements * shareOfShares),
      quotes: platform === 'twitter' ? Math.round(engagements * 0.03) : 0,
      saves:
        platform === 'instagram' || platform === 'twitter'
          ? Math.round(engagements * (0.03 + rng.next() * 0.05))
          : 0,
      videoViews: contentType === 'video' ? Math.round(impressions * (0.35 + rng.next() * 0.35)) : 0,
      profileClicks: platform === 'twitter' ? Math.round(impressions * 0.004 * rng.logNormal(0.3)) : 0,
      reactions,
    };
  }

  /** Exact metrics of a post at a time: pure in (seed, post, at), monotone non-decreasing in `at`. */
  metricsAt(post: Post, at: number): MetricsAt {
    const age = at - post.publishedAt;
    const tau = post.tauMs;
    const f = post.final;
    // Slower metrics (comments, saves…) use a longer time constant.
    const g = growthFraction(age, tau);
    const gClicks = growthFraction(age, tau * 0.8);
    const gComments = growthFraction(age, tau * 1.5);
    const gShares = growthFraction(age, tau * 1.2);
    const gSaves = growthFraction(age, tau * 2);
    const gVideo = growthFraction(age, tau * 1.1);
    const reactions: Record<string, number> = {};
    let likes = 0;
    if (f.reactions.length > 0) {
      const names = post.account.platform === 'linkedin' ? LINKEDIN_REACTIONS : FACEBOOK_REACTIONS;
      for (let i = 0; i < f.reactions.length; i++) {
        const n = Math.floor((f.reactions[i] ?? 0) * g);
        likes += n;
        reactions[names[i] ?? `r${i}`] = n;
      }
    } else {
      likes = Math.floor(f.likes * g);
    }
    return {
      impressions: Math.floor(f.impressions * g),
      reach: Math.floor(f.reach * g),
      clicks: Math.floor(f.clicks * gClicks),
      likes,
      comments: Math.floor(f.comments * gComments),
      shares: Math.floor(f.shares * gShares),
      quotes: Math.floor(f.quotes * gShares),
      saves: Math.floor(f.saves * gSaves),
      video_views: Math.floor(f.videoViews * gVideo),
      profile_clicks: Math.floor(f.profileClicks * g),
      reactions,
    };
  }
}
