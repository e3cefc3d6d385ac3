import {
  type IngestService,
  type IngestServiceOptions,
  LinkedInAdapter,
  startIngestService,
} from '@postpulse/ingest';
import type { Logger } from '@postpulse/logging';
import type { Clock } from '@postpulse/ratelimit';
import type { LinkedInConfig } from './config.js';

/** The LinkedIn ingest service: the shared runtime with the LinkedIn adapter. */
export function startLinkedInIngest(
  config: LinkedInConfig,
  extra: { clock?: Clock; logger?: Logger } & Pick<
    IngestServiceOptions,
    'topics' | 'runWorker' | 'redisKeyPrefix' | 'fetch'
  > = {},
): Promise<IngestService> {
  return startIngestService({
    name: 'ingest-linkedin',
    config,
    platforms: ['linkedin'],
    ...extra,
    adapters: ({ client, limiter, clock, logger }) => [
      new LinkedInAdapter(
        client('linkedin'),
        limiter,
        {
          baseUrl: config.LINKEDIN_API_BASE_URL.replace(/\/$/, ''),
          version: config.LINKEDIN_VERSION,
          appDaily: config.LINKEDIN_APP_DAILY,
          memberDaily: config.LINKEDIN_MEMBER_DAILY,
        },
        () => clock.now(),
        logger,
      ),
    ],
  });
}
