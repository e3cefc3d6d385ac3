export type Platform = 'twitter' | 'linkedin' | 'facebook' | 'instagram';
export const PLATFORMS: ReadonlyArray<Platform> = ['twitter', 'linkedin', 'facebook', 'instagram'];

export type ContentType = 'text' | 'image' | 'video' | 'link' | 'carousel';

export const LINKEDIN_REACTIONS = [
  'LIKE',
  'PRAISE',
  'EMPATHY',
  'INTEREST',
  'APPRECIATION',
  'ENTERTAINMENT',
] as const;
export const FACEBOOK_REACTIONS = ['like', 'love', 'wow', 'haha', 'sorry', 'anger'] as const;

export interface Account {
  /** `${platform}:${accountId}` */
  key: string;
  index: number;
  platform: Platform;
  tenantId: string;
  tenantIndex: number;
  /** X user id, LinkedIn organization id, Facebook page id or Instagram business account id. */
  accountId: string;
  /** urn:li:organization:N on LinkedIn, else the account id. */
  accountRef: string;
  handle: string;
  name: string;
  timezone: string;
  token: string;
  followersStart: number;
  followersPerDay: number;
  postCount: number;
}

/** Lifetime totals a post saturates towards; per-type reaction totals where the platform has them. */
export interface FinalMetrics {
  impressions: number;
  reach: number;
  clicks: number;
  likes: number;
  comments: number;
  shares: number;
  quotes: number;
  saves: number;
  videoViews: number;
  profileClicks: number;
  reactions: ReadonlyArray<number>;
}

export interface Post {
  id: string;
  account: Account;
  publishedAt: number;
  contentType: ContentType;
  text: string;
  hashtags: ReadonlyArray<string>;
  /** Local to the account's timezone; 0 = Monday. */
  weekday: number;
  hour: number;
  /** Product of the planted multipliers (weekday×hour, type, hashtags, length). */
  multiplier: number;
  viral: boolean;
  final: FinalMetrics;
  tauMs: number;
  /** Instagram: the owner hid like counts, so `like_count` is omitted. */
  likesHidden: boolean;
  /** Instagram product type; stories only live 24 h in /stories. */
  productType: 'FEED' | 'REELS' | 'STORY';
  /** X media key of the attached photo/video, if any. */
  mediaKey: string | null;
  url: string;
  /** `publishedAt` as ISO 8601 with milliseconds, formatted once: every answer prints it. */
  publishedIso: string;
}

export interface MetricsAt {
  impressions: number;
  reach: number;
  clicks: number;
  likes: number;
  comments: number;
  shares: number;
  quotes: number;
  saves: number;
  video_views: number;
  profile_clicks: number;
  /** LinkedIn: LIKE, PRAISE…; Facebook: like, love…; empty on X and Instagram. */
  reactions: Record<string, number>;
}
