import type { Database } from '@postpulse/db';
import type { Kysely } from 'kysely';
import { type ApiKeyScope, apiKeyScopes, generateApiKey, hashApiKey, looksLikeApiKey } from './keys.js';
import { isValidTimeZone } from './timezone.js';

export class TenancyError extends Error {
  override name = 'TenancyError';
}

export interface Tenant {
  id: string;
  name: string;
  timezone: string;
  rate_limit_per_minute: number | null;
}

export interface CreatedApiKey {
  id: string;
  tenant_id: string;
  prefix: string;
  scopes: ApiKeyScope[];
  /** The secret itself: returned here once, never stored or shown again. */
  api_key: string;
}

export interface CreateTenantInput {
  name: string;
  timezone?: string | undefined;
  rateLimitPerMinute?: number | null | undefined;
}

function checkScopes(scopes: readonly string[]): ApiKeyScope[] {
  if (scopes.length === 0) throw new TenancyError('an API key needs at least one scope');
  for (const s of scopes) {
    if (!(apiKeyScopes as readonly string[]).includes(s)) {
      throw new TenancyError(`unknown scope "${s}" (allowed: ${apiKeyScopes.join(', ')})`);
    }
  }
  return [...new Set(scopes)] as ApiKeyScope[];
}

/** Creates a tenant and its first API key (scopes read and write); the key is in the result only. */
export async function createTenant(
  db: Kysely<Database>,
  input: CreateTenantInput,
): Promise<{ tenant: Tenant; key: CreatedApiKey }> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 200) throw new TenancyError('tenant name must be 1 to 200 characters');
  const timezone = input.timezone ?? 'UTC';
  if (!isValidTimeZone(timezone)) throw new TenancyError(`unknown time zone "${timezone}"`);
  const limit = input.rateLimitPerMinute ?? null;
  if (limit !== null && (!Number.isInteger(limit) || limit < 1)) {
    throw new TenancyError('rate limit must be a positive integer');
  }
  return db.transaction().execute(async (tx) => {
    // tenancy: create tenant
    const tenant = await tx
      .insertInto('tenants')
      .values({ name, timezone, rate_limit_per_minute: limit })
      .returning(['id', 'name', 'timezone', 'rate_limit_per_minute'])
      .executeTakeFirstOrThrow();
    const key = await insertKey(tx, tenant.id, ['read', 'write'], 'initial key');
    return { tenant, key };
  });
}

async function insertKey(
  db: Kysely<Database>,
  tenantId: string,
  scopes: ApiKeyScope[],
  name: string | null,
): Promise<CreatedApiKey> {
  const generated = generateApiKey();
  // tenancy: create api key
  const row = await db
    .insertInto('api_keys')
    .values({ tenant_id: tenantId, prefix: generated.prefix, key_hash: generated.hash, scopes, name })
    .returning(['id', 'tenant_id', 'prefix'])
    .executeTakeFirstOrThrow();
  return { ...row, scopes, api_key: generated.key };
}

export async function createApiKey(
  db: Kysely<Database>,
  input: { tenantId: string; scopes: readonly string[]; name?: string | null | undefined },
): Promise<CreatedApiKey> {
  const scopes = checkScopes(input.scopes);
  const tenant = await getTenant(db, input.tenantId);
  if (!tenant) throw new TenancyError(`no tenant ${input.tenantId}`);
  return insertKey(db, tenant.id, scopes, input.name ?? null);
}

/** Revokes a key by id; true when a live key was revoked. Revocation is immediate and final. */
export async function revokeApiKey(db: Kysely<Database>, keyId: string): Promise<boolean> {
  if (!UUID.test(keyId)) return false;
  // tenancy: revoke api key
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where('id', '=', keyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getTenant(db: Kysely<Database>, tenantId: string): Promise<Tenant | undefined> {
  if (!UUID.test(tenantId)) return undefined;
  // tenancy: get tenant
  return db
    .selectFrom('tenants')
    .select(['id', 'name', 'timezone', 'rate_limit_per_minute'])
    .where('id', '=', tenantId)
    .executeTakeFirst();
}

export interface AuthenticatedKey {
  key_id: string;
  scopes: ApiKeyScope[];
  tenant: Tenant;
}

/**
 * Resolves a presented key to its tenant, or undefined for an unknown, malformed or revoked key. The
 * lookup is by SHA-256 of the key, so timing reveals nothing about stored keys.
 */
export async function authenticateApiKey(
  db: Kysely<Database>,
  presented: string,
): Promise<AuthenticatedKey | undefined> {
  if (!looksLikeApiKey(presented)) return undefined;
  // tenancy: authenticate api key
  const row = await db
    .selectFrom('api_keys as k')
    .innerJoin('tenants as t', 't.id', 'k.tenant_id')
    .select(['k.id as key_id', 'k.scopes', 't.id', 't.name', 't.timezone', 't.rate_limit_per_minute'])
    .where('k.key_hash', '=', hashApiKey(presented))
    .where('k.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    key_id: row.key_id,
    scopes: row.scopes.filter((s): s is ApiKeyScope => (apiKeyScopes as readonly string[]).includes(s)),
    tenant: {
      id: row.id,
      name: row.name,
      timezone: row.timezone,
      rate_limit_per_minute: row.rate_limit_per_minute,
    },
  };
}

/** Records use at most once a minute per key, so authentication stays a read on the hot path. */
export async function touchApiKey(db: Kysely<Database>, keyId: string, now = new Date()): Promise<void> {
  // tenancy: touch api key
  await db
    .updateTable('api_keys')
    .set({ last_used_at: now })
    .where('id', '=', keyId)
    .where((eb) =>
      eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', new Date(now.getTime() - 60_000))]),
    )
    .execute();
}

export async function listApiKeys(db: Kysely<Database>, tenantId: string) {
  if (!UUID.test(tenantId)) return [];
  // tenancy: list api keys
  return db
    .selectFrom('api_keys')
    .select(['id', 'prefix', 'name', 'scopes', 'created_at', 'revoked_at', 'last_used_at'])
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .execute();
}
