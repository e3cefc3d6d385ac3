// One entry point from (platform, source, raw response) to snapshot events: what `postpulse
// normalize` prints and what the services publish come from the same functions.
import type { Platform } from '@postpulse/contracts';
import type { NormalizeContext, Normalized, RawResponse } from '../types.js';
import { normalizeLinkedInPosts, normalizeShareStatistics, normalizeSocialMetadata } from './linkedin.js';
import {
  normalizeFacebookFields,
  normalizeFacebookInsights,
  normalizeFacebookPublishedPosts,
  normalizeInstagramInsights,
  normalizeInstagramMedia,
} from './meta.js';
import { normalizeTweets } from './twitter.js';

export * from './common.js';
export * from './linkedin.js';
export * from './meta.js';
export * from './twitter.js';

type Normalizer = (res: RawResponse, ctx: NormalizeContext) => Normalized;

export const sources: Record<Platform, Record<string, Normalizer>> = {
  twitter: { tweets: normalizeTweets },
  linkedin: {
    'share-statistics': (res, ctx) => normalizeShareStatistics(res, ctx),
    'social-metadata': normalizeSocialMetadata,
    posts: normalizeLinkedInPosts,
  },
  facebook: {
    'post-insights': normalizeFacebookInsights,
    'post-fields': normalizeFacebookFields,
    'published-posts': normalizeFacebookPublishedPosts,
  },
  instagram: {
    'media-insights': (res, ctx) => normalizeInstagramInsights(res, ctx),
    media: normalizeInstagramMedia,
  },
};

export function normalizeResponse(
  platform: Platform,
  source: string,
  res: RawResponse,
  ctx: NormalizeContext,
): Normalized {
  const fn = sources[platform][source];
  if (!fn) {
    throw new Error(
      `unknown source ${source} for ${platform}; one of: ${Object.keys(sources[platform]).join(', ')}`,
    );
  }
  return fn(res, ctx);
}
