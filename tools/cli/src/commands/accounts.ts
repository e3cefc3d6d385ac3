// `postpulse accounts connect|list|disconnect|reencrypt`: the account registry from the command line.
// Tokens are encrypted with TOKEN_KEYS / TOKEN_KEY_CURRENT before they reach Postgres.
import { readFileSync } from 'node:fs';
import {
  AccountError,
  connectAccount,
  disconnectAccount,
  listAccounts,
  reencryptTokens,
} from '@postpulse/accounts';
import { parseConfig } from '@postpulse/config';
import { platformSchema } from '@postpulse/contracts';
import { createDb } from '@postpulse/db';
import { createTokenCipher, parseTokenKeys } from '@postpulse/secrets';
import type { Command } from 'commander';
import { z } from 'zod';
import { cliConfigSchema } from '../config.js';

const keysSchema = z.object({
  TOKEN_KEYS: z.string().min(1, 'TOKEN_KEYS is required (kid:base64key,...)'),
  TOKEN_KEY_CURRENT: z.string().min(1, 'TOKEN_KEY_CURRENT is required'),
});

async function withDeps<T>(
  fn: (deps: Parameters<typeof connectAccount>[0]) => Promise<T>,
  needKeys = true,
): Promise<T> {
  const cfg = parseConfig(cliConfigSchema);
  const db = createDb({ url: cfg.DATABASE_URL, applicationName: 'postpulse-accounts' });
  try {
    let cipher: Parameters<typeof connectAccount>[0]['cipher'];
    if (needKeys) {
      const keys = parseConfig(keysSchema);
      cipher = createTokenCipher({
        keys: parseTokenKeys(keys.TOKEN_KEYS),
        currentKeyId: keys.TOKEN_KEY_CURRENT,
      });
    } else {
      const unavailable = () => {
        throw new Error('TOKEN_KEYS not configured');
      };
      cipher = { currentKeyId: '', encrypt: unavailable, decrypt: unavailable, keyIdOf: unavailable };
    }
    return await fn({ db, cipher, now: () => Date.now() });
  } finally {
    await db.destroy();
  }
}

/** `-` reads the token from stdin, so it stays out of shell history and the process list. */
function tokenArg(value: string | undefined): string | undefined {
  if (value !== '-') return value;
  return readFileSync(0, 'utf8').trim();
}

function fail(error: unknown): never {
  if (error instanceof AccountError) throw new Error(`${error.code}: ${error.message}`);
  throw error;
}

export function registerAccounts(program: Command): void {
  const accounts = program
    .command('accounts')
    .description('connected platform accounts (tokens encrypted at rest)');

  accounts
    .command('connect')
    .description('connect (or reconnect) a platform account; prints the account as JSON, without tokens')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--platform <platform>', 'linkedin | twitter | facebook | instagram')
    .requiredOption(
      '--account-id <id>',
      'X user id, LinkedIn organization id, Facebook page id or Instagram user id',
    )
    .requiredOption('--access-token <token>', "access token, or '-' to read it from stdin")
    .option('--refresh-token <token>', 'refresh token')
    .option('--expires-at <iso>', 'when the access token expires')
    .option('--name <name>', 'display name')
    .action(async (o: Record<string, string | undefined>) => {
      const platform = platformSchema.safeParse(o.platform);
      if (!platform.success)
        throw new Error(`--platform must be one of ${platformSchema.options.join(', ')}`);
      const view = await withDeps((deps) =>
        connectAccount(deps, {
          tenant_id: o.tenant ?? '',
          platform: platform.data,
          account_id: o.accountId ?? '',
          access_token: tokenArg(o.accessToken) ?? '',
          refresh_token: o.refreshToken ?? null,
          expires_at: o.expiresAt ?? null,
          display_name: o.name ?? null,
        }),
      ).catch(fail);
      console.log(JSON.stringify(view));
    });

  accounts
    .command('list')
    .description('list connected accounts as NDJSON (never the tokens)')
    .option('--tenant <id>', 'only this tenant')
    .option('--platform <platform>', 'only this platform')
    .action(async (o: { tenant?: string; platform?: string }) => {
      const platform = o.platform === undefined ? undefined : platformSchema.parse(o.platform);
      const rows = await withDeps(
        (deps) =>
          listAccounts(deps, {
            ...(o.tenant ? { tenant_id: o.tenant } : {}),
            ...(platform ? { platform } : {}),
          }),
        false,
      );
      for (const r of rows) console.log(JSON.stringify(r));
    });

  accounts
    .command('disconnect')
    .description('disconnect an account: its tokens are erased and ingest stops')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--id <uuid>', 'the account id shown by `accounts list`')
    .action(async (o: { tenant: string; id: string }) => {
      const view = await withDeps((deps) => disconnectAccount(deps, { tenant_id: o.tenant, id: o.id })).catch(
        fail,
      );
      console.log(JSON.stringify(view));
    });

  accounts
    .command('reencrypt')
    .description('re-encrypt every token under TOKEN_KEY_CURRENT (last step of a key rotation)')
    .action(async () => {
      const n = await withDeps((deps) => reencryptTokens(deps));
      console.log(JSON.stringify({ reencrypted: n }));
    });
}
