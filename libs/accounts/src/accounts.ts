// The registry of connected platform accounts. Domain functions over (deps, input): the CLI, the
// query API and the ingest services are thin adapters over these.
import { type Platform, platformSchema } from '@postpulse/contracts';
import type { Database } from '@postpulse/db';
import type { TokenCipher } from '@postpulse/secrets';
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';

export interface AccountsDeps {
  db: Kysely<Database>;
  cipher: TokenCipher;
  /** Epoch ms; injected so tests can move time. */
  now: () => number;
}

export type AccountStatusValue = 'active' | 'needs_reauth' | 'disconnected';

/** What callers may see: never a token. */
export interface AccountView {
  id: string;
  tenant_id: string;
  platform: Platform;
  account_id: string;
  display_name: string | null;
  status: AccountStatusValue;
  status_reason: string | null;
  rate_limited_until: string | null;
  token_expires_at: string | null;
  connected_at: string;
  backfill_done_at: string | null;
}

export interface AccountCredentials {
  access_token: string;
  refresh_token: string | null;
}

/** How far back a newly connected account's posts are discovered. */
export const BACKFILL_DAYS = 90;
const DAY_MS = 86_400_000;

export const connectAccountSchema = z.object({
  tenant_id: z.uuid(),
  platform: platformSchema,
  account_id: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[A-Za-z0-9:_.-]+$/, 'account ids are platform ids or URNs'),
  access_token: z.string().min(1).max(8192),
  refresh_token: z.string().min(1).max(8192).nullable().default(null),
  expires_at: z.iso.datetime({ offset: true }).nullable().default(null),
  display_name: z.string().min(1).max(200).nullable().default(null),
});
export type ConnectAccountInput = z.input<typeof connectAccountSchema>;

export class AccountError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid' | 'unknown_tenant',
    message: string,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}

/** The ciphertext is bound to the account's identity, so a copied ciphertext fails elsewhere. */
const aad = (a: { tenant_id: string; platform: string; account_id: string }) =>
  `${a.tenant_id}:${a.platform}:${a.account_id}`;

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

type Row = Selectable<Database['platform_accounts']>;

export function toView(row: Row): AccountView {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    platform: platformSchema.parse(row.platform),
    account_id: row.account_id,
    display_name: row.display_name,
    status: row.status,
    status_reason: row.status_reason,
    rate_limited_until: iso(row.rate_limited_until),
    token_expires_at: iso(row.token_expires_at),
    connected_at: iso(row.connected_at) ?? '',
    backfill_done_at: iso(row.backfill_done_at),
  };
}

/**
 * Connects an account, or reconnects it with new tokens: status back to active, discovery and the
 * follower refresh due now. A reconnect keeps the discovered posts and their schedule.
 */
export async function connectAccount(deps: AccountsDeps, input: ConnectAccountInput): Promise<AccountView> {
  const parsed = connectAccountSchema.safeParse(input);
  if (!parsed.success) {
    throw new AccountError(
      'invalid',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  const a = parsed.data;
  const tenant = await deps.db
    .selectFrom('tenants')
    .select('id')
    .where('id', '=', a.tenant_id)
    .executeTakeFirst();
  if (!tenant) throw new AccountError('unknown_tenant', `tenant ${a.tenant_id} does not exist`);
  const now = new Date(deps.now());
  const access = deps.cipher.encrypt(a.access_token, aad(a));
  const refresh = a.refresh_token === null ? null : deps.cipher.encrypt(a.refresh_token, aad(a));
  const row = await deps.db
    .insertInto('platform_accounts')
    .values({
      tenant_id: a.tenant_id,
      platform: a.platform,
      account_id: a.account_id,
      display_name: a.display_name,
      access_token_enc: access,
      refresh_token_enc: refresh,
      token_key_id: deps.cipher.currentKeyId,
      token_expires_at: a.expires_at,
      status: 'active',
      connected_at: now,
      updated_at: now,
      backfill_from: new Date(now.getTime() - BACKFILL_DAYS * DAY_MS),
      next_discovery_at: now,
      next_account_refresh_at: now,
    })
    .onConflict((oc) =>
      oc.constraint('platform_accounts_identity').doUpdateSet((eb) => ({
        access_token_enc: eb.ref('excluded.access_token_enc'),
        refresh_token_enc: eb.ref('excluded.refresh_token_enc'),
        token_key_id: eb.ref('excluded.token_key_id'),
        token_expires_at: eb.ref('excluded.token_expires_at'),
        display_name: eb.fn.coalesce('excluded.display_name', 'platform_accounts.display_name'),
        status: 'active',
        status_reason: null,
        rate_limited_until: null,
        updated_at: now,
        next_discovery_at: now,
        next_account_refresh_at: now,
        lease_owner: null,
        lease_until: null,
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return toView(row);
}

export async function listAccounts(
  deps: Pick<AccountsDeps, 'db'>,
  filter: { tenant_id?: string; platform?: Platform } = {},
): Promise<AccountView[]> {
  let q = deps.db.selectFrom('platform_accounts').selectAll();
  if (filter.tenant_id) q = q.where('tenant_id', '=', filter.tenant_id);
  if (filter.platform) q = q.where('platform', '=', filter.platform);
  const rows = await q.orderBy('tenant_id').orderBy('platform').orderBy('account_id').execute();
  return rows.map(toView);
}

export async function getAccount(
  deps: Pick<AccountsDeps, 'db'>,
  key: { tenant_id: string; id: string },
): Promise<AccountView> {
  if (!z.uuid().safeParse(key.id).success) throw new AccountError('not_found', 'account not found');
  const row = await deps.db
    .selectFrom('platform_accounts')
    .selectAll()
    .where('tenant_id', '=', key.tenant_id)
    .where('id', '=', key.id)
    .executeTakeFirst();
  if (!row) throw new AccountError('not_found', 'account not found');
  return toView(row);
}

/** Disconnects: tokens are wiped (not just flagged) and the schedule stops. */
export async function disconnectAccount(
  deps: AccountsDeps,
  key: { tenant_id: string; id: string },
): Promise<AccountView> {
  await getAccount(deps, key);
  const now = new Date(deps.now());
  const row = await deps.db
    .updateTable('platform_accounts')
    .set({
      status: 'disconnected',
      status_reason: 'disconnected by user',
      access_token_enc: '',
      refresh_token_enc: null,
      updated_at: now,
    })
    .where('tenant_id', '=', key.tenant_id)
    .where('id', '=', key.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toView(row);
}

/** The decrypted tokens of an active account, for the ingest service's calls only. */
export async function loadCredentials(
  deps: AccountsDeps,
  row: Pick<Row, 'tenant_id' | 'platform' | 'account_id' | 'access_token_enc' | 'refresh_token_enc'>,
): Promise<AccountCredentials> {
  return {
    access_token: deps.cipher.decrypt(row.access_token_enc, aad(row)),
    refresh_token: row.refresh_token_enc ? deps.cipher.decrypt(row.refresh_token_enc, aad(row)) : null,
  };
}

/**
 * Flags an account whose token the platform refused. Returns true only for the call that changed
 * the state, so exactly one status event is published however many replicas saw the refusal.
 */
export async function markNeedsReauth(
  deps: Pick<AccountsDeps, 'db' | 'now'>,
  input: { id: string; reason: string },
): Promise<boolean> {
  const result = await deps.db
    .updateTable('platform_accounts')
    .set({
      status: 'needs_reauth',
      status_reason: input.reason.slice(0, 1000),
      updated_at: new Date(deps.now()),
    })
    .where('id', '=', input.id)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records when the platform lets this account call again (shown to users; the limiter enforces it). */
export async function setRateLimitedUntil(
  deps: Pick<AccountsDeps, 'db'>,
  input: { id: string; until: Date | null },
): Promise<boolean> {
  const result = await deps.db
    .updateTable('platform_accounts')
    .set({ rate_limited_until: input.until })
    .where('id', '=', input.id)
    .where((eb) =>
      input.until === null
        ? eb('rate_limited_until', 'is not', null)
        : eb.or([eb('rate_limited_until', 'is', null), eb('rate_limited_until', '<', input.until)]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Re-encrypts every token not yet under the current key (the last step of a key rotation). */
export async function reencryptTokens(deps: AccountsDeps, batchSize = 500): Promise<number> {
  let done = 0;
  for (;;) {
    const rows = await deps.db
      .selectFrom('platform_accounts')
      .selectAll()
      .where('token_key_id', '!=', deps.cipher.currentKeyId)
      .where('access_token_enc', '!=', '')
      .limit(batchSize)
      .execute();
    if (rows.length === 0) return done;
    for (const row of rows) {
      const creds = await loadCredentials(deps, row);
      await deps.db
        .updateTable('platform_accounts')
        .set({
          access_token_enc: deps.cipher.encrypt(creds.access_token, aad(row)),
          refresh_token_enc:
            creds.refresh_token === null ? null : deps.cipher.encrypt(creds.refresh_token, aad(row)),
          token_key_id: deps.cipher.currentKeyId,
        })
        .where('id', '=', row.id)
        .where('access_token_enc', '=', row.access_token_enc)
        .execute();
      done++;
    }
  }
}
