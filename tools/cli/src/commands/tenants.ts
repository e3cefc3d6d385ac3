import { parseConfig } from '@postpulse/config';
import { createDb } from '@postpulse/db';
import { createApiKey, createTenant, revokeApiKey } from '@postpulse/tenancy';
import type { Command } from 'commander';
import { cliConfigSchema } from '../config.js';

async function withDb<T>(run: (db: ReturnType<typeof createDb>) => Promise<T>): Promise<T> {
  const cfg = parseConfig(cliConfigSchema);
  const db = createDb({ url: cfg.DATABASE_URL, applicationName: 'postpulse-cli' });
  try {
    return await run(db);
  } finally {
    await db.destroy();
  }
}

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`not a positive integer: ${v}`);
  return n;
};

/** `tenants create` and `api-keys create|revoke`: thin adapters over @postpulse/tenancy. Keys print once. */
export function registerTenants(program: Command): void {
  const tenants = program.command('tenants').description('manage tenants');
  tenants
    .command('create')
    .description('create a tenant and its first API key (scopes read,write); prints {"tenant_id","api_key"}')
    .requiredOption('--name <name>', 'tenant name')
    .option('--timezone <tz>', 'IANA time zone every date range is read in', 'UTC')
    .option('--rate-limit <perMinute>', 'API requests per minute (default: the service default)', positiveInt)
    .action((opts: { name: string; timezone: string; rateLimit?: number }) =>
      withDb(async (db) => {
        const { tenant, key } = await createTenant(db, {
          name: opts.name,
          timezone: opts.timezone,
          rateLimitPerMinute: opts.rateLimit ?? null,
        });
        console.log(JSON.stringify({ tenant_id: tenant.id, api_key: key.api_key }));
      }),
    );

  const keys = program.command('api-keys').description('manage API keys');
  keys
    .command('create')
    .description(
      'create an API key for a tenant; prints {"key_id","tenant_id","api_key","scopes"} (shown once)',
    )
    .requiredOption('--tenant <id>', 'tenant id')
    .option('--scopes <list>', 'comma-separated: read, write', 'read')
    .option('--name <name>', 'a label to recognise the key by')
    .action((opts: { tenant: string; scopes: string; name?: string }) =>
      withDb(async (db) => {
        const key = await createApiKey(db, {
          tenantId: opts.tenant,
          scopes: opts.scopes
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          name: opts.name ?? null,
        });
        console.log(
          JSON.stringify({
            key_id: key.id,
            tenant_id: key.tenant_id,
            api_key: key.api_key,
            scopes: key.scopes,
          }),
        );
      }),
    );
  keys
    .command('revoke')
    .description('revoke an API key by id; it stops working at once')
    .argument('<key_id>', 'the key id printed by api-keys create')
    .action((keyId: string) =>
      withDb(async (db) => {
        if (!(await revokeApiKey(db, keyId))) throw new Error(`no live API key ${keyId}`);
        console.log(JSON.stringify({ key_id: keyId, revoked: true }));
      }),
    );
}
