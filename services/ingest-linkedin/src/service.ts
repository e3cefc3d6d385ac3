import {
  type IngestService,
  type IngestServiceExtras,
  LinkedInAdapter,
  startIngestService,
} from '@postpulse/ingest';
import type { LinkedInConfig } from './config.js';

/** The LinkedIn ingest service: the shared runtime with the LinkedIn adapter. */
export function startLinkedInIngest(
  config: LinkedInConfig,
  extra: IngestServiceExtras = {},
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
