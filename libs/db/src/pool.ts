import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

// bigint columns (counts, sums) come back as JS numbers; counts stay well below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export interface DbSettings {
  url: string;
  maxConnections?: number;
  /** Shown in pg_stat_activity, so a slow query can be traced to its service. */
  applicationName: string;
}

export function createDb(settings: DbSettings): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.maxConnections ?? 10,
    application_name: settings.applicationName,
    connectionTimeoutMillis: 10_000,
    // Our statements are short and run often; JIT compiling them (which the planner's cost estimates for
    // unnest() inputs trigger) cost more than they take to run: 390 ms on a 40 ms statement. Likewise
    // parallel workers: starting two for a 4 ms UNION ALL made it 15 ms, and under concurrent requests
    // the cores are busy anyway.
    options: '-c jit=off -c max_parallel_workers_per_gather=0',
  });
  // A connection dies when the server restarts: the query running on it rejects (callers retry), the
  // pool discards it, and the next query opens a new one. The 'error' events that also fire, on the pool
  // for idle clients and on a checked-out client between queries, would crash the process unheard.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
