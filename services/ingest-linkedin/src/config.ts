import { env } from '@postpulse/config';
import { defaultLinkedInSettings, ingestConfigShape } from '@postpulse/ingest';
import { z } from 'zod';

export const linkedinConfigSchema = z.object({
  ...ingestConfigShape('ingest-linkedin', 8092),
  /** LinkedIn API base (the simulator's `/linkedin` in development); `/rest/...` is appended. */
  LINKEDIN_API_BASE_URL: env.url('https://api.linkedin.com'),
  /** LinkedIn-Version header, YYYYMM; a version stays supported for a year. */
  LINKEDIN_VERSION: z
    .string()
    .regex(/^\d{6}$/)
    .default(defaultLinkedInSettings.version),
  /** Calls per UTC day per resource (LinkedIn does not publish these; see the developer portal). */
  LINKEDIN_APP_DAILY: env.int(defaultLinkedInSettings.appDaily).pipe(z.number().int().min(1)),
  LINKEDIN_MEMBER_DAILY: env.int(defaultLinkedInSettings.memberDaily).pipe(z.number().int().min(1)),
});

export type LinkedInConfig = z.infer<typeof linkedinConfigSchema>;
