import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTokenCipher, generateTokenKey, parseTokenKeys } from '@postpulse/secrets';
import { createTestDatabase, type TestDatabase } from '@postpulse/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountError,
  connectAccount,
  disconnectAccount,
  getAccount,
  listAccounts,
  loadCredentials,
  markNeedsReauth,
  reencryptTokens,
} from '../src/index.js';

let database: TestDatabase;
let tenant = '';
const k1 = generateTokenKey('k1');
const k2 = generateTokenKey('k2');
const now = () => Date.UTC(2026, 10, 20, 12);

beforeAll(async () => {
  database = await createTestDatabase();
  const row = await database.db
    .insertInto('tenants')
    .values({ name: 'Acme', timezone: 'UTC' })
    .returning('id')
    .executeTakeFirstOrThrow();
  tenant = row.id;
});
afterAll(() => database.drop());

const dump = async () =>
  (
    await sql<{
      t: string | null;
    }>`SELECT string_agg(platform_accounts::text, ' ') AS t FROM platform_accounts`.execute(database.db)
  ).rows[0]?.t ?? '';

describe('account registry', () => {
  it('connects with tokens encrypted at rest, lists without tokens, reconnects in place', async () => {
    const deps = {
      db: database.db,
      cipher: createTokenCipher({ keys: parseTokenKeys(k1), currentKeyId: 'k1' }),
      now,
    };
    const a = await connectAccount(deps, {
      tenant_id: tenant,
      platform: 'twitter',
      account_id: '12345',
      access_token: 'secret-access-1',
      refresh_token: 'secret-refresh-1',
    });
    expect(a).toMatchObject({ platform: 'twitter', account_id: '12345', status: 'active' });
    expect(JSON.stringify(await listAccounts(deps, { tenant_id: tenant }))).not.toContain('secret');
    expect(await dump()).not.toContain('secret-');
    expect(await dump()).toContain('v1:k1:');
    const again = await connectAccount(deps, {
      tenant_id: tenant,
      platform: 'twitter',
      account_id: '12345',
      access_token: 'secret-access-2',
    });
    expect(again.id).toBe(a.id);
    const row = await database.db
      .selectFrom('platform_accounts')
      .selectAll()
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    expect(await loadCredentials(deps, row)).toEqual({
      access_token: 'secret-access-2',
      refresh_token: null,
    });
  });

  it('flags needs_reauth once, however many callers see the refusal; reconnecting clears it', async () => {
    const deps = {
      db: database.db,
      cipher: createTokenCipher({ keys: parseTokenKeys(k1), currentKeyId: 'k1' }),
      now,
    };
    const a = await connectAccount(deps, {
      tenant_id: tenant,
      platform: 'linkedin',
      account_id: '777',
      access_token: 'secret-li',
    });
    const results = await Promise.all(
      [1, 2, 3].map(() => markNeedsReauth(deps, { id: a.id, reason: 'auth_revoked' })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await getAccount(deps, { tenant_id: tenant, id: a.id })).status).toBe('needs_reauth');
    await connectAccount(deps, {
      tenant_id: tenant,
      platform: 'linkedin',
      account_id: '777',
      access_token: 'secret-li-2',
    });
    expect((await getAccount(deps, { tenant_id: tenant, id: a.id })).status).toBe('active');
  });

  it('rotates keys without downtime: old ciphertexts still decrypt, reencrypt moves them to the current key', async () => {
    const both = parseTokenKeys(`${k1},${k2}`);
    const deps = { db: database.db, cipher: createTokenCipher({ keys: both, currentKeyId: 'k2' }), now };
    const rows = await database.db.selectFrom('platform_accounts').selectAll().execute();
    for (const r of rows) await expect(loadCredentials(deps, r)).resolves.toBeTruthy();
    expect(await reencryptTokens(deps)).toBe(rows.length);
    const after = await database.db.selectFrom('platform_accounts').selectAll().execute();
    expect(after.every((r) => r.token_key_id === 'k2' && r.access_token_enc.startsWith('v1:k2:'))).toBe(true);
    const onlyNew = { ...deps, cipher: createTokenCipher({ keys: parseTokenKeys(k2), currentKeyId: 'k2' }) };
    for (const r of after) await expect(loadCredentials(onlyNew, r)).resolves.toBeTruthy();
  });

  it('disconnect erases the tokens; other tenants and bad input get clear errors', async () => {
    const deps = {
      db: database.db,
      cipher: createTokenCipher({ keys: parseTokenKeys(k2), currentKeyId: 'k2' }),
      now,
    };
    const [first] = await listAccounts(deps, { tenant_id: tenant });
    if (!first) throw new Error('no account');
    await expect(
      getAccount(deps, { tenant_id: '00000000-0000-4000-8000-000000000000', id: first.id }),
    ).rejects.toBeInstanceOf(AccountError);
    const gone = await disconnectAccount(deps, { tenant_id: tenant, id: first.id });
    expect(gone.status).toBe('disconnected');
    const row = await database.db
      .selectFrom('platform_accounts')
      .selectAll()
      .where('id', '=', first.id)
      .executeTakeFirstOrThrow();
    expect([row.access_token_enc, row.refresh_token_enc]).toEqual(['', null]);
    await expect(
      connectAccount(deps, {
        tenant_id: tenant,
        platform: 'twitter',
        account_id: 'bad id!',
        access_token: 't',
      }),
    ).rejects.toThrow(/account_id/);
    await expect(
      connectAccount(deps, {
        tenant_id: '00000000-0000-4000-8000-000000000000',
        platform: 'twitter',
        account_id: '1',
        access_token: 't',
      }),
    ).rejects.toMatchObject({ code: 'unknown_tenant' });
  });

  it('postpulse accounts connect / list from the CLI, token read from stdin', () => {
    const bin = fileURLToPath(new URL('../../../tools/cli/bin/postpulse.js', import.meta.url));
    const env = { ...process.env, DATABASE_URL: database.url, TOKEN_KEYS: k2, TOKEN_KEY_CURRENT: 'k2' };
    const connect = spawnSync(
      process.execPath,
      [
        bin,
        'accounts',
        'connect',
        '--tenant',
        tenant,
        '--platform',
        'instagram',
        '--account-id',
        '17841400000000001',
        '--access-token',
        '-',
      ],
      { env, input: 'cli-secret-token\n', encoding: 'utf8' },
    );
    expect(connect.stderr).toBe('');
    expect(JSON.parse(connect.stdout)).toMatchObject({
      platform: 'instagram',
      status: 'active',
      tenant_id: tenant,
    });
    const list = spawnSync(
      process.execPath,
      [bin, 'accounts', 'list', '--tenant', tenant, '--platform', 'instagram'],
      { env, encoding: 'utf8' },
    );
    const lines = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(list.stdout).not.toContain('cli-secret-token');
    const bad = spawnSync(
      process.execPath,
      [
        bin,
        'accounts',
        'connect',
        '--tenant',
        tenant,
        '--platform',
        'myspace',
        '--account-id',
        '1',
        '--access-token',
        'x',
      ],
      {
        env,
        encoding: 'utf8',
      },
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--platform must be one of/);
  }, 60_000);
});
