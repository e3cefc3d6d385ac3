import { createHash } from 'node:crypto';
import type { PostgresCursor, PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * Named statements per connection at most; past it, new statement texts run unnamed. Each one holds its
 * parse tree and plans in the server process for as long as the connection lives.
 */
export const MAX_PREPARED_PER_CONNECTION = 200;

/** What a connection has prepared; `generation` is part of every name, so a new one forces a new Parse. */
interface Prepared {
  generation: number;
  names: Set<string>;
}

const nameOfText = new Map<string, string>();

/** sha1 of the statement text, remembered: the texts are few (their values are parameters) and long. */
function textHash(text: string): string {
  let hash = nameOfText.get(text);
  if (hash === undefined) {
    hash = createHash('sha1').update(text).digest('hex').slice(0, 24);
    if (nameOfText.size >= 10 * MAX_PREPARED_PER_CONNECTION) nameOfText.clear();
    nameOfText.set(text, hash);
  }
  return hash;
}

/** Postgres refuses to run a prepared SELECT whose result columns changed (a migration altered a table). */
const isStaleResultType = (e: unknown) =>
  (e as { code?: string }).code === '0A000' && /cached plan must not change result type/.test(String(e));

/**
 * A pool whose statements with parameters run as named prepared statements: Postgres parses and analyses a
 * statement text once per connection instead of on every execution, and may reuse its plan. For the query
 * API's analytics statements (one statement of many CTEs per request) the parse alone was half the time:
 * 19 ms unnamed, 9.5 ms prepared (bench/RESULTS.md). Statements without parameters (migrations, BEGIN)
 * run as they are: a prepared statement cannot hold several commands.
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const prepared = new WeakMap<pg.PoolClient, Prepared>();
  return {
    async connect() {
      const client = await pool.connect();
      let state = prepared.get(client);
      if (!state) {
        state = { generation: 0, names: new Set() };
        prepared.set(client, state);
      }
      const own = state;
      const run = (text: string, values: unknown[]) => {
        const name = `pp${own.generation}_${textHash(text)}`;
        if (!own.names.has(name)) {
          if (own.names.size >= MAX_PREPARED_PER_CONNECTION) return client.query(text, values);
          own.names.add(name);
        }
        return client.query({ name, text, values });
      };
      const wrapped = {
        query(textOrCursor: string | PostgresCursor<unknown>, parameters?: ReadonlyArray<unknown>) {
          if (typeof textOrCursor !== 'string') return client.query(textOrCursor as never);
          const values = [...(parameters ?? [])];
          if (values.length === 0) return client.query(textOrCursor, values);
          return run(textOrCursor, values).catch(async (e: unknown) => {
            if (!isStaleResultType(e)) throw e;
            // Every statement of this connection may be stale: drop them all and prepare anew under new
            // names (the client library still believes the old names are prepared, so they are not reused).
            await client.query('DEALLOCATE ALL');
            own.generation += 1;
            own.names.clear();
            return run(textOrCursor, values);
          });
        },
        release: () => client.release(),
      };
      return wrapped as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}
