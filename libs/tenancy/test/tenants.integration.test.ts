import { createTestDatabase, type TestDatabase } from '@postpulse/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateApiKey, createApiKey, createTenant, revokeApiKey, TenancyError } from '../src/index.js';

let pg: TestDatabase;
beforeAll(async () => {
  pg = await createTestDatabase();
});
afterAll(async () => {
  await pg?.drop();
});

describe('tenants and keys', () => {
  it('creates a tenant with a working key that resolves to it; revocation is immediate', async () => {
    const { tenant, key } = await createTenant(pg.db, { name: 'Acme', timezone: 'Europe/Berlin' });
    const auth = await authenticateApiKey(pg.db, key.api_key);
    expect(auth?.tenant).toEqual({
      id: tenant.id,
      name: 'Acme',
      timezone: 'Europe/Berlin',
      rate_limit_per_minute: null,
    });
    expect(auth?.scopes.sort()).toEqual(['read', 'write']);
    const readOnly = await createApiKey(pg.db, { tenantId: tenant.id, scopes: ['read'] });
    expect((await authenticateApiKey(pg.db, readOnly.api_key))?.scopes).toEqual(['read']);
    expect(await revokeApiKey(pg.db, readOnly.id)).toBe(true);
    expect(await authenticateApiKey(pg.db, readOnly.api_key)).toBeUndefined();
    expect(await revokeApiKey(pg.db, readOnly.id)).toBe(false);
  });

  it('rejects bad input with a clear message', async () => {
    await expect(createTenant(pg.db, { name: 'X', timezone: 'Nowhere/City' })).rejects.toThrow(TenancyError);
    const { tenant } = await createTenant(pg.db, { name: 'Y' });
    await expect(createApiKey(pg.db, { tenantId: tenant.id, scopes: ['admin'] })).rejects.toThrow(/scope/);
    await expect(createApiKey(pg.db, { tenantId: tenant.id, scopes: [] })).rejects.toThrow(/scope/);
  });
});
