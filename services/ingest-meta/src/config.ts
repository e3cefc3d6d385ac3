import { env } from '@postpulse/config';
import { defaultMetaSettings, ingestConfigShape } from '@postpulse/ingest';
import { z } from 'zod';

export const metaConfigSchema = z.object({
  ...ingestConfigShape('ingest-meta', 8093),
  /** Graph API base (the simulator's `/meta` in development); `/v25.0/...` is appended. */
  META_API_BASE_URL: env.url('https://graph.facebook.com'),
  META_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .default(defaultMetaSettings.version),
  /** Object reads per rolling hour for the app, and per Page / IG account per rolling day. */
  META_APP_PER_HOUR: env.int(defaultMetaSettings.appPerHour).pipe(z.number().int().min(1)),
  META_PAGE_PER_DAY: env.int(defaultMetaSettings.pagePerDay).pipe(z.number().int().min(1)),
  META_INSTAGRAM_PER_DAY: env.int(defaultMetaSettings.instagramPerDay).pipe(z.number().int().min(1)),
  /** Pause a scope once Meta's usage headers reach this percentage. */
  META_USAGE_PAUSE_PERCENT: env
    .int(defaultMetaSettings.usagePauseAtPercent)
    .pipe(z.number().int().min(1).max(100)),
  /** Insights metrics asked for; retired ones are found, remembered and dropped automatically. */
  META_FACEBOOK_METRICS: env.list(defaultMetaSettings.facebookMetrics.join(',')),
  META_INSTAGRAM_METRICS: env.list(defaultMetaSettings.instagramMetrics.join(',')),
  /** Which Meta platforms this deployment ingests. */
  META_PLATFORMS: env.list('facebook,instagram').pipe(z.array(z.enum(['facebook', 'instagram'])).min(1)),
});

export type MetaConfig = z.infer<typeof metaConfigSchema>;
