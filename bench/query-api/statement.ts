// Postgres CPU of the 30-day overview's statement, and each part's share of it, on the query benchmark's data.
//   npx tsx bench/query-api/statement.ts [--executions 2000]
// The statement is built by the query API's own code (overviewParts, queryParts) once with every part and once
// without each, then each form is run as the API runs it (a named prepared statement with a reused generic
// plan) on one backend, serially, in blocks of 50 executions taken in turn, so a drift of the machine's speed
// falls on all of them alike. The backend's CPU comes from /proc/<pid>/schedstat (Linux). Far less noisy than
// a load test: it isolates what a change to the SQL saves.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connectionEnv, loadStackConfig } from '@postpulse/stack';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DomainContext } from '../../services/query-api/src/context.js';
import { overviewParts } from '../../services/query-api/src/domain/overview.js';
import { type Part, queryParts, rangeFilter } from '../../services/query-api/src/domain/post-set.js';
import { previousRange, resolveRange } from '../../services/query-api/src/domain/time.js';

const { values } = parseArgs({ options: { executions: { type: 'string', default: '2000' } } });
const EXECUTIONS = Number(values.executions);
const BLOCK = 50;
const url = connectionEnv(loadStackConfig()).DATABASE_URL.replace(
  /\/postpulse$/,
  '/postpulse_bench_query_api',
);

interface Statement {
  sql: string;
  parameters: unknown[];
}
let captured: Statement[] = [];
const pool = new pg.Pool({ connectionString: url, max: 2 });
const db = new Kysely<never>({
  dialect: new PostgresDialect({ pool }),
  log: (event) => {
    if (event.level === 'query')
      captured.push({ sql: event.query.sql, parameters: [...event.query.parameters] });
  },
});
const { rows } = await sql<{ id: string; timezone: string }>`
  SELECT id, timezone FROM tenants WHERE name = 'Bench tenant'`.execute(db);
const tenant = rows[0];
if (!tenant) throw new Error('no bench tenant: run `npx tsx bench/query-api/run.ts --seed-only` first');

const now = new Date();
const range = resolveRange({}, tenant.timezone, now);
const filter = rangeFilter(range);
const previous = rangeFilter(previousRange(range));
const ctx = {
  tenantId: tenant.id,
  timezone: tenant.timezone,
  requestId: 'bench',
  logger: undefined as never,
  db,
  genericPlanDb: db,
  olap: undefined as never,
  now,
} as unknown as DomainContext;

/** The statements `queryParts` runs for the overview without the parts in `left` (run once here, to capture them). */
async function statementsWithout(left: string[]): Promise<Statement[]> {
  const parts = Object.fromEntries(
    Object.entries(overviewParts(ctx, range, filter, previous)).filter(([name]) => !left.includes(name)),
  ) as Record<string, Part<unknown>>;
  captured = [];
  await queryParts(ctx, filter, parts, previous);
  return captured;
}

const partNames = Object.keys(overviewParts(ctx, range, filter, previous));
// One at a time: the capture is shared.
const forms = [{ label: 'every part', statements: await statementsWithout([]) }];
for (const name of partNames)
  forms.push({ label: `without ${name}`, statements: await statementsWithout([name]) });
await db.destroy();

// As the API's generic-plan pool runs them (libs/db/src/pool.ts).
const client = new pg.Client({
  connectionString: url,
  options: '-c jit=off -c max_parallel_workers_per_gather=0 -c plan_cache_mode=force_generic_plan',
});
await client.connect();
const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
const backendNs = () => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
const run = (form: number) =>
  Promise.all(
    (forms[form]?.statements ?? []).map((s, i) =>
      client.query({ name: `f${form}_${i}`, text: s.sql, values: s.parameters.map(iso) }),
    ),
  );
const spent = forms.map(() => 0);
for (let f = 0; f < forms.length; f++) for (let i = 0; i < 200; i++) await run(f); // prepared and warm
for (let done = 0; done < EXECUTIONS; done += BLOCK) {
  process.stdout.write(`\r${done} / ${EXECUTIONS} executions of each form `);
  for (let f = 0; f < forms.length; f++) {
    const before = backendNs();
    for (let i = 0; i < BLOCK; i++) await run(f);
    spent[f] = (spent[f] ?? 0) + backendNs() - before;
  }
}
await client.end();

const perExecution = spent.map((ns) => ns / 1e6 / EXECUTIONS);
const whole = perExecution[0] ?? 0;
process.stdout.write(
  `\n\nPostgres CPU per overview statement (30 days), ${EXECUTIONS} executions of each form:\n\n`,
);
process.stdout.write('| form | ms per execution | the part costs |\n|---|---|---|\n');
forms.forEach((form, f) => {
  const ms = perExecution[f] ?? 0;
  const part = f === 0 ? '' : (whole - ms).toFixed(2);
  process.stdout.write(`| ${form.label} | ${ms.toFixed(2)} | ${part} |\n`);
});
