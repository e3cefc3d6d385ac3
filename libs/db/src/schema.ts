import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface TenantsTable {
  id: Generated<string>;
  name: string;
  /** IANA zone every date range of this tenant is read in. */
  timezone: string;
  /** Requests per minute for the query API; null means the service default. */
  rate_limit_per_minute: number | null;
  created_at: Generated<Timestamp>;
}

export interface ApiKeysTable {
  id: Generated<string>;
  tenant_id: string;
  /** Shown in listings so a key can be recognised without revealing it. */
  prefix: string;
  /** SHA-256 of the whole key; the key itself is shown once and never stored. */
  key_hash: Buffer;
  scopes: string[];
  name: string | null;
  created_at: Generated<Timestamp>;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

/** Every table, as kysely sees it. Later migrations add theirs here. */
export interface Database {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
}
