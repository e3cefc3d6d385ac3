import { z } from '@hono/zod-openapi';
import { platforms } from '@postpulse/contracts';

export const accountSchema = z
  .object({
    id: z.string(),
    platform: z.enum(platforms),
    account_id: z.string(),
    display_name: z.string().nullable(),
    status: z.enum(['active', 'needs_reauth', 'disconnected']),
    status_reason: z.string().nullable(),
    rate_limited_until: z.string().nullable(),
    token_expires_at: z.string().nullable(),
    connected_at: z.string(),
    backfill_done_at: z.string().nullable(),
  })
  .openapi('Account', { description: 'A connected platform account. Tokens are never returned.' });

export const connectBodySchema = z
  .object({
    platform: z.enum(platforms, { error: `platform must be one of ${platforms.join(', ')}` }),
    account_id: z
      .string()
      .min(1)
      .max(512)
      .regex(/^[A-Za-z0-9:_.-]+$/, { error: 'account_id must be a platform id or URN' }),
    access_token: z.string().min(1).max(8192),
    refresh_token: z.string().min(1).max(8192).nullable().optional(),
    expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
    display_name: z.string().min(1).max(200).nullable().optional(),
  })
  .openapi('ConnectAccount');

/** What a caller may see of an account: no tenant id, never a token. */
export function publicAccount(a: z.infer<typeof accountSchema> & { tenant_id?: string }) {
  const { tenant_id: _t, ...rest } = a;
  return rest;
}
