import type { Migration } from 'kysely';
import * as tenantsAndApiKeys from './20261122T1900_tenants_and_api_keys.js';

/**
 * Every migration, by file name. Listed statically rather than read from disk so it works under any
 * loader or bundler; a unit test checks that each file in this folder is listed.
 */
export const migrations: Record<string, Migration> = {
  '20261122T1900_tenants_and_api_keys': tenantsAndApiKeys,
};
