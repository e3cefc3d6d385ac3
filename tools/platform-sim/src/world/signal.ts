// The planted truth: multipliers on a post's engagement rate. Analytics built on the simulator
// should rediscover these; tests compare against them through the truth API.
import type { ContentType, Platform } from './model.js';

export const WEEKDAYS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;

const WEEKDAY_FACTOR = [1.0, 1.12, 1.18, 1.1, 0.95, 0.72, 0.68];
// Morning commute, lunch and early evening peaks; nights are dead.
const HOUR_FACTOR = [
  0.45, 0.4, 0.38, 0.38, 0.42, 0.55, 0.75, 0.95, 1.2, 1.3, 1.15, 1.05, 1.25, 1.2, 1.0, 0.95, 1.0, 1.15, 1.25,
  1.1, 0.95, 0.8, 0.65, 0.52,
];

export const WEEKDAY_HOUR_MULTIPLIER: ReadonlyArray<ReadonlyArray<number>> = WEEKDAY_FACTOR.map((d) =>
  HOUR_FACTOR.map((h) => Math.round(d * h * 1000) / 1000),
);

export const CONTENT_TYPE_MULTIPLIER: Readonly<Record<ContentType, number>> = {
  text: 0.8,
  image: 1.1,
  video: 1.4,
  link: 0.7,
  carousel: 1.25,
};

export const HASHTAG_MULTIPLIER: Readonly<Record<string, number>> = {
  ai: 1.35,
  growth: 1.15,
  leadership: 1.1,
  productivity: 1.05,
  marketing: 1.0,
  startup: 1.0,
  saas: 0.95,
  design: 1.08,
  data: 1.02,
  remote: 0.98,
  ecommerce: 0.92,
  branding: 1.04,
  hiring: 0.8,
  webinar: 0.75,
  mondaymotivation: 0.85,
};

/** Text length buckets by character count, lower bound inclusive. */
export const LENGTH_BUCKETS: ReadonlyArray<{ min: number; max: number | null; multiplier: number }> = [
  { min: 0, max: 80, multiplier: 1.15 },
  { min: 80, max: 160, multiplier: 1.0 },
  { min: 160, max: 280, multiplier: 0.9 },
  { min: 280, max: null, multiplier: 0.8 },
];

export function lengthMultiplier(length: number): number {
  for (const b of LENGTH_BUCKETS) {
    if (length >= b.min && (b.max === null || length < b.max)) return b.multiplier;
  }
  return 1;
}

/** Several hashtags compound: each one's multiplier applies. */
export function hashtagMultiplier(tags: ReadonlyArray<string>): number {
  let m = 1;
  for (const t of tags) m *= HASHTAG_MULTIPLIER[t] ?? 1;
  return m;
}

export function weekdayHourMultiplier(weekday: number, hour: number): number {
  return WEEKDAY_HOUR_MULTIPLIER[weekday]?.[hour] ?? 1;
}

/** Baseline engagement rate (engagements / impressions) before multipliers. */
export const BASE_ENGAGEMENT_RATE: Readonly<Record<Platform, number>> = {
  twitter: 0.018,
  linkedin: 0.035,
  facebook: 0.025,
  instagram: 0.045,
};

/** Impressions of a typical post as a share of followers at publication. */
export const REACH_RATE: Readonly<Record<Platform, number>> = {
  twitter: 0.22,
  linkedin: 0.45,
  facebook: 0.12,
  instagram: 0.3,
};

/** Hours until a post has ~63% of its lifetime metrics. */
export const GROWTH_TAU_HOURS: Readonly<Record<Platform, number>> = {
  twitter: 5,
  linkedin: 22,
  facebook: 14,
  instagram: 28,
};

export const CONTENT_TYPES_BY_PLATFORM: Readonly<Record<Platform, ReadonlyArray<ContentType>>> = {
  twitter: ['text', 'image', 'video', 'link'],
  linkedin: ['text', 'image', 'video', 'link', 'carousel'],
  facebook: ['text', 'image', 'video', 'link', 'carousel'],
  instagram: ['image', 'video', 'carousel'],
};

export const CONTENT_TYPE_WEIGHTS: Readonly<Record<ContentType, number>> = {
  text: 3,
  image: 4,
  video: 2,
  link: 2,
  carousel: 1.5,
};

/** How willing people are to post at a local hour: business hours dominate. */
export const POSTING_HOUR_WEIGHT = [
  0.05, 0.03, 0.02, 0.02, 0.03, 0.1, 0.3, 0.7, 1, 1, 1, 0.9, 0.9, 0.9, 1, 1, 0.9, 0.8, 0.6, 0.45, 0.35, 0.25,
  0.15, 0.08,
];
