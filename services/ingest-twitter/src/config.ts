import { env } from '@postpulse/config';
import { defaultXSettings, ingestConfigShape } from '@postpulse/ingest';
import { z } from 'zod';

const perWindow = (fallback: number) => env.int(fallback).pipe(z.number().int().min(1));

export const twitterConfigSchema = z.object({
  ...ingestConfigShape('ingest-twitter', 8091),
  /** X API v2 base (the simulator's `/x` in development). */
  X_API_BASE_URL: env.url('https://api.x.com'),
  /** Calls per 15-minute window, per user token and per app: X's published limits for the tier. */
  X_TWEETS_LOOKUP_PER_USER: perWindow(defaultXSettings.limits.tweets_lookup.perUser),
  X_TWEETS_LOOKUP_PER_APP: perWindow(defaultXSettings.limits.tweets_lookup.perApp),
  X_USER_TWEETS_PER_USER: perWindow(defaultXSettings.limits.user_tweets.perUser),
  X_USER_TWEETS_PER_APP: perWindow(defaultXSettings.limits.user_tweets.perApp),
  X_USERS_LOOKUP_PER_USER: perWindow(defaultXSettings.limits.users_lookup.perUser),
  X_USERS_LOOKUP_PER_APP: perWindow(defaultXSettings.limits.users_lookup.perApp),
});

export type TwitterConfig = z.infer<typeof twitterConfigSchema>;
