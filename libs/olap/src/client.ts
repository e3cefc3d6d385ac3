import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';

export type { ClickHouseClient } from '@clickhouse/client';

export interface OlapSettings {
  url: string;
  database: string;
  requestTimeoutMs?: number;
  maxOpenConnections?: number;
}

/**
 * Unqualified table names resolve in `database`, so the same SQL serves every environment and
 * every test's own database. Only settings ClickHouse 18.16 knows are passed.
 */
export function createOlap(settings: OlapSettings): ClickHouseClient {
  return createClient({
    url: settings.url,
    database: settings.database,
    request_timeout: settings.requestTimeoutMs ?? 30_000,
    max_open_connections: settings.maxOpenConnections ?? 10,
    log: { level: ClickHouseLogLevel.WARN },
    // Literals carry post texts (up to 100k chars); the 256 KiB default would refuse such a query.
    clickhouse_settings: { max_query_size: '16777216' },
  });
}
