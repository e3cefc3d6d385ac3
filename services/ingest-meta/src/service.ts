import {
  type IngestService,
  type IngestServiceExtras,
  MetaAdapter,
  startIngestService,
} from '@postpulse/ingest';
import type { MetaConfig } from './config.js';

/** The Meta ingest service: Facebook Pages and Instagram through one Graph client. */
export function startMetaIngest(config: MetaConfig, extra: IngestServiceExtras = {}): Promise<IngestService> {
  return startIngestService({
    name: 'ingest-meta',
    config,
    platforms: config.META_PLATFORMS,
    ...extra,
    adapters: ({ client, limiter, clock, db, logger }) =>
      config.META_PLATFORMS.map(
        (platform) =>
          new MetaAdapter(
            platform,
            client(platform),
            limiter,
            db,
            {
              baseUrl: config.META_API_BASE_URL.replace(/\/$/, ''),
              version: config.META_GRAPH_VERSION,
              appPerHour: config.META_APP_PER_HOUR,
              pagePerDay: config.META_PAGE_PER_DAY,
              instagramPerDay: config.META_INSTAGRAM_PER_DAY,
              usagePauseAtPercent: config.META_USAGE_PAUSE_PERCENT,
              usagePauseMs: 10 * 60_000,
              facebookMetrics: config.META_FACEBOOK_METRICS,
              instagramMetrics: config.META_INSTAGRAM_METRICS,
            },
            () => clock.now(),
            logger,
          ),
      ),
  });
}
