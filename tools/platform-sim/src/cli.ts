// `postpulse sim [truth] [--flags]`: flags win over SIM_* environment variables, which win over defaults.
import { parseArgs } from 'node:util';
import type { DeepPartial, SimOptions } from './config.js';
import type { FaultConfig } from './faults.js';
import { type RunningSim, type StartSimOptions, startSim } from './server.js';
import { createSimApp } from './sim.js';

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: Record<string, string | undefined>;
}

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  seed: { type: 'string' },
  tenants: { type: 'string' },
  'accounts-per-platform': { type: 'string' },
  'posts-per-account': { type: 'string' },
  days: { type: 'string' },
  'future-days': { type: 'string' },
  anchor: { type: 'string' },
  now: { type: 'string' },
  'fault-5xx-rate': { type: 'string' },
  'fault-latency-ms': { type: 'string' },
  'fault-hang-rate': { type: 'string' },
  'fault-deleted-share': { type: 'string' },
  'ig-insights-lag-hours': { type: 'string' },
  'linkedin-omit-share': { type: 'string' },
  'linkedin-negative-likes-share': { type: 'string' },
  config: { type: 'string' },
  'no-posts': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

const USAGE = `usage: postpulse sim [truth] [options]
  --port N                   listen port (default 4010, 0 = random)       SIM_PORT
  --host H                   listen address (default 127.0.0.1)           SIM_HOST
  --seed N                   world seed (default 42)                      SIM_SEED
  --tenants N                tenants (default 3)                          SIM_TENANTS
  --accounts-per-platform N  accounts per tenant and platform (default 1) SIM_ACCOUNTS_PER_PLATFORM
  --posts-per-account N      posts per account (default 200)              SIM_POSTS_PER_ACCOUNT
  --days N                   publishing history in days (default 120)     SIM_DAYS
  --future-days N            days after the anchor that get posts too     SIM_FUTURE_DAYS
  --anchor ISO               end of the past range (default: now)         SIM_ANCHOR
  --now ISO                  freeze the clock at this time                SIM_NOW
  --fault-5xx-rate R         share of 5xx answers on every API            SIM_FAULT_5XX_RATE
  --fault-latency-ms N       added latency on every API                   SIM_FAULT_LATENCY_MS
  --fault-hang-rate R        share of requests that never answer          SIM_FAULT_HANG_RATE
  --fault-deleted-share R    share of posts that are deleted              SIM_FAULT_DELETED_SHARE
  --ig-insights-lag-hours N  Instagram insights empty for younger media   SIM_IG_INSIGHTS_LAG_HOURS
  --linkedin-omit-share R    share of URNs LinkedIn leaves out            SIM_LINKEDIN_OMIT_SHARE
  --linkedin-negative-likes-share R                                       SIM_LINKEDIN_NEGATIVE_LIKES_SHARE
  --config FILE              JSON file with full SimOptions (limits, faults …)
  truth [--no-posts]         print the planted truth as JSON and exit`;

const defaultIo: CliIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

function envName(flag: string): string {
  return `SIM_${flag.toUpperCase().replace(/-/g, '_')}`;
}

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${flag} must be a number, got ${value}`);
  return n;
}

async function parseSimArgs(
  argv: string[],
  env: CliIo['env'],
): Promise<{
  command: 'serve' | 'truth' | 'help';
  options: StartSimOptions;
  posts: boolean;
}> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: FLAGS,
    allowPositionals: true,
    strict: true,
  });
  const get = (flag: keyof typeof FLAGS): string | undefined => {
    const v = values[flag];
    return typeof v === 'string' ? v : env[envName(flag)];
  };
  let options: StartSimOptions = {};
  const configPath = get('config');
  if (configPath) {
    const { readFile } = await import('node:fs/promises');
    options = JSON.parse(await readFile(configPath, 'utf8')) as StartSimOptions;
  }
  const set = <K extends keyof StartSimOptions>(key: K, value: StartSimOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('port', num(get('port'), 'port'));
  set('host', get('host'));
  set('seed', num(get('seed'), 'seed'));
  set('tenants', num(get('tenants'), 'tenants'));
  set('accountsPerPlatform', num(get('accounts-per-platform'), 'accounts-per-platform'));
  set('postsPerAccount', num(get('posts-per-account'), 'posts-per-account'));
  set('days', num(get('days'), 'days'));
  set('futureDays', num(get('future-days'), 'future-days'));
  set('anchor', get('anchor'));
  set('now', get('now'));

  const faults: DeepPartial<FaultConfig> = { ...(options.faults ?? {}) };
  const perApi = (v: number | undefined) => (v === undefined ? undefined : { x: v, linkedin: v, meta: v });
  const rate5xx = perApi(num(get('fault-5xx-rate'), 'fault-5xx-rate'));
  if (rate5xx) faults.error_rate = rate5xx;
  const latency = perApi(num(get('fault-latency-ms'), 'fault-latency-ms'));
  if (latency) faults.latency_ms = latency;
  const hang = perApi(num(get('fault-hang-rate'), 'fault-hang-rate'));
  if (hang) faults.hang_rate = hang;
  const deleted = num(get('fault-deleted-share'), 'fault-deleted-share');
  if (deleted !== undefined) faults.deleted_share = deleted;
  const lag = num(get('ig-insights-lag-hours'), 'ig-insights-lag-hours');
  if (lag !== undefined) faults.instagram_insights_lag_hours = lag;
  const omit = num(get('linkedin-omit-share'), 'linkedin-omit-share');
  if (omit !== undefined) faults.linkedin_omit_share = omit;
  const negative = num(get('linkedin-negative-likes-share'), 'linkedin-negative-likes-share');
  if (negative !== undefined) faults.linkedin_negative_likes_share = negative;
  options.faults = faults;

  const [first, ...rest] = positionals;
  if (rest.length > 0 || (first !== undefined && first !== 'truth'))
    throw new Error(`unknown command: ${positionals.join(' ')}`);
  const command = values.help ? 'help' : first === 'truth' ? 'truth' : 'serve';
  return { command, options, posts: !values['no-posts'] };
}

/**
 * Entry point of `postpulse sim`. Serving resolves once listening (the server keeps the process
 * alive; SIGINT/SIGTERM close it); `truth` and `--help` resolve with undefined after printing.
 */
export async function runSimCli(argv: string[], io: CliIo = defaultIo): Promise<RunningSim | undefined> {
  let parsed: Awaited<ReturnType<typeof parseSimArgs>>;
  try {
    parsed = await parseSimArgs(argv, io.env);
  } catch (e) {
    io.stderr(e instanceof Error ? e.message : String(e));
    io.stderr(USAGE);
    throw e;
  }
  if (parsed.command === 'help') {
    io.stdout(USAGE);
    return undefined;
  }
  if (parsed.command === 'truth') {
    const options: SimOptions = parsed.options;
    io.stdout(JSON.stringify(createSimApp(options).truth({ posts: parsed.posts }), null, 2));
    return undefined;
  }
  const running = await startSim({ ...parsed.options, port: parsed.options.port ?? 4010 });
  io.stdout(`x: ${running.urls.x}`);
  io.stdout(`linkedin: ${running.urls.linkedin}`);
  io.stdout(`meta: ${running.urls.meta}`);
  io.stdout(`admin: ${running.urls.admin}`);
  if (io === defaultIo) {
    const stop = () => {
      void running.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  return running;
}
