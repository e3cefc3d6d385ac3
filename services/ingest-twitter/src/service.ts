import {
  defaultXSettings,
  type IngestService,
  type IngestServiceExtras,
  startIngestService,
  XAdapter,
} from '@postpulse/ingest';
import type { TwitterConfig } from './config.js';

/** The X ingest service: the shared runtime with the X adapter. */
export function startTwitterIngest(
  config: TwitterConfig,
  extra: IngestServiceExtras = {},
): Promise<IngestService> {
  return startIngestService({
    name: 'ingest-twitter',
    config,
    platforms: ['twitter'],
    ...extra,
    adapters: ({ client, limiter, clock }) => [
      new XAdapter(
        client('twitter'),
        limiter,
        {
          ...defaultXSettings,
          baseUrl: config.X_API_BASE_URL.replace(/\/$/, ''),
          limits: {
            tweets_lookup: {
              perUser: config.X_TWEETS_LOOKUP_PER_USER,
              perApp: config.X_TWEETS_LOOKUP_PER_APP,
            },
            user_tweets: { perUser: config.X_USER_TWEETS_PER_USER, perApp: config.X_USER_TWEETS_PER_APP },
            users_lookup: { perUser: config.X_USERS_LOOKUP_PER_USER, perApp: config.X_USERS_LOOKUP_PER_APP },
          },
        },
        () => clock.now(),
      ),
    ],
  });
}
