import { createHash } from 'node:crypto';
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
  /**
   * Prepare every statement once per connection, under a name derived from its text, and run it with one
   * generic plan: parsed and planned once instead of on every run (planning was ≈ 2 of 7 ms of the
   * overview's rollup statement). Only for statements whose best plan does not depend on their values,
   * such as reads of a small rollup table by tenant and time range. Not for a LIMIT over an index whose
   * selectivity depends on the range: a generic plan estimates every range alike (it sorted a year's posts
   * instead of reading the first five of an index). A connection keeps one prepared statement per distinct
   * text, so texts must not embed values.
   */
  genericPlans?: boolean;
}

/**
 * Instants are sent as ISO strings: pg formats a Date in the process's zone field by field, ≈ 2.5 % of
 * the overview's CPU in Node for its fifty bounds; toISOString is native, and Postgres reads both alike.
 */
const isoDates = (values: unknown[]) => values.map((v) => (v instanceof Date ? v.toISOString() : v));

/** A pg client that runs each (text, values) query as a named prepared statement. */
class PreparingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; only (text, values) is rewritten.
  override query(...args: any[]): any {
    const [text, values] = args;
    if (typeof text === 'string' && args.length === 2) {
      return super.query({
        name: `g_${createHash('sha1').update(text).digest('base64url')}`,
        text,
        values: values ? isoDates(values) : values,
      });
    }
    // biome-ignore lint/suspicious/noExplicitAny: forwarded as given.
    return (super.query as any)(...args);
  }
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
    options: `-c jit=off -c max_parallel_workers_per_gather=0${settings.genericPlans ? ' -c plan_cache_mode=force_generic_plan' : ''}`,
    ...(settings.genericPlans ? { Client: PreparingClient } : {}),
  });
  // A connection dies when the server restarts: the query running on it rejects (callers retry), the
  // pool discards it, and the next query opens a new one. The 'error' events that also fire, on the pool
  // for idle clients and on a checked-out client between queries, would crash the process unheard.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
