// Throughput of the platform simulator: a started server (own process) hit by a keep-alive
// request loop with a realistic mix of ingest calls. Usage:
//   node --import tsx bench/platform-sim/run.ts [--seconds 20] [--endpoint-seconds 4] [--concurrency 32]
//     [--tenants 25] [--posts-per-account 1000]
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    serve: { type: 'boolean' },
    seconds: { type: 'string', default: '20' },
    'endpoint-seconds': { type: 'string', default: '4' },
    /** Only this endpoint (by name), e.g. to profile one path. */
    only: { type: 'string' },
    concurrency: { type: 'string', default: '32' },
    tenants: { type: 'string', default: '25' },
    'posts-per-account': { type: 'string', default: '1000' },
  },
});

const tenants = Number(values.tenants);
const postsPerAccount = Number(values['posts-per-account']);
// Limits high enough that the bench measures serving, not throttling.
const LIMITS = {
  x: {
    endpoints: {
      tweets_lookup: { perUser: 1e9, perApp: 1e9 },
      user_tweets: { perUser: 1e9, perApp: 1e9 },
      users_lookup: { perUser: 1e9, perApp: 1e9 },
    },
  },
  linkedin: { appDaily: 1e9, memberDaily: 1e9 },
  meta: { appPerHour: 1e9, pagePerDay: 1e9, instagramPerDay: 1e9 },
};

async function serve(): Promise<void> {
  const { startSim } = await import('../../tools/platform-sim/src/index.js');
  const t0 = performance.now();
  // Wall-clock time (no frozen `now`): metrics are recomputed for every answer, as in a demo.
  const running = await startSim({ port: 0, seed: 1, tenants, postsPerAccount, limits: LIMITS });
  // Build every post now so generation is measured apart from serving.
  let n = 0;
  for (const _ of running.sim.world.allPosts()) n++;
  const generationMs = performance.now() - t0;
  process.stdout.write(`${JSON.stringify({ port: running.port, posts: n, generationMs })}\n`);
  // Exit cleanly so `--cpu-prof` (via NODE_OPTIONS) can write its profile.
  process.once('SIGTERM', () => void running.close().then(() => process.exit(0)));
  // The driver asks for the server's CPU time per phase: req/s alone depends on what else runs.
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', () => {
    const u = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpuMicros: u.user + u.system })}\n`);
  });
}

interface Target {
  name: string;
  path: string;
  headers: Record<string, string>;
}

/**
 * Share of each call in a refresh cycle of ingest: metrics calls per post dominate (Meta has no
 * bulk insights short of batches), discovery pages and 100-id lookups are rarer.
 */
const MIX_WEIGHTS: Record<string, number> = {
  'meta fb insights': 25,
  'meta ig insights': 25,
  'linkedin shareStatistics': 15,
  'linkedin socialMetadata': 10,
  'x tweets?ids=100': 5,
  'x users/:id/tweets': 5,
  'linkedin posts': 5,
  'meta published_posts': 5,
  'x users/:id': 5,
};

function targets(truth: {
  accounts: Array<{
    platform: string;
    account_id: string;
    account_ref: string;
    token: string;
    posts?: Array<{ id: string; product_type: string }>;
  }>;
}): Target[] {
  const out: Target[] = [];
  for (const a of truth.accounts) {
    const ids = (a.posts ?? []).map((p) => p.id);
    const auth = { authorization: `Bearer ${a.token}` };
    if (a.platform === 'twitter') {
      out.push({
        name: 'x tweets?ids=100',
        path: `/x/2/tweets?ids=${ids.slice(0, 100).join(',')}&tweet.fields=public_metrics,non_public_metrics,created_at,attachments&expansions=attachments.media_keys&media.fields=public_metrics`,
        headers: auth,
      });
      out.push({
        name: 'x users/:id',
        path: `/x/2/users/${a.account_id}?user.fields=public_metrics`,
        headers: auth,
      });
      out.push({
        name: 'x users/:id/tweets',
        path: `/x/2/users/${a.account_id}/tweets?max_results=100&tweet.fields=public_metrics,created_at`,
        headers: auth,
      });
    }
    if (a.platform === 'linkedin') {
      const shares = ids
        .filter((id) => id.includes(':share:'))
        .slice(0, 20)
        .map(encodeURIComponent);
      const li = { ...auth, 'LinkedIn-Version': '202611', 'X-Restli-Protocol-Version': '2.0.0' };
      out.push({
        name: 'linkedin shareStatistics',
        path: `/linkedin/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${encodeURIComponent(a.account_ref)}&shares=List(${shares.join(',')})`,
        headers: li,
      });
      out.push({
        name: 'linkedin socialMetadata',
        path: `/linkedin/rest/socialMetadata/${encodeURIComponent(ids[0] ?? '')}`,
        headers: li,
      });
      out.push({
        name: 'linkedin posts',
        path: `/linkedin/rest/posts?q=author&author=${encodeURIComponent(a.account_ref)}&count=50`,
        headers: li,
      });
    }
    if (a.platform === 'facebook') {
      out.push({
        name: 'meta fb insights',
        path: `/meta/v25.0/${ids[ids.length >> 1]}/insights?metric=post_media_view,post_total_media_view_unique,post_clicks,post_reactions_by_type_total&access_token=${a.token}`,
        headers: {},
      });
      out.push({
        name: 'meta published_posts',
        path: `/meta/v25.0/${a.account_id}/published_posts?limit=50&fields=id,message,created_time,shares&access_token=${a.token}`,
        headers: {},
      });
    }
    if (a.platform === 'instagram') {
      const media = (a.posts ?? []).find((p) => p.product_type !== 'STORY');
      out.push({
        name: 'meta ig insights',
        path: `/meta/v25.0/${media?.id}/insights?metric=reach,likes,comments,shares,saved,total_interactions,views&access_token=${a.token}`,
        headers: {},
      });
    }
  }
  return out;
}

function request(agent: http.Agent, port: number, t: Target): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: t.path, headers: t.headers, agent }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function getJson<T>(port: number, path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return (await res.json()) as T;
}

/** Server CPU time so far (user + system, µs), asked over the child's stdin. */
function serverCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.stdout?.once('data', (chunk: Buffer) =>
      resolve((JSON.parse(chunk.toString()) as { cpuMicros: number }).cpuMicros),
    );
    child.stdin?.write('cpu\n');
  });
}

interface RunResult {
  requests: number;
  req_per_s: number;
  mb_per_s: number;
  p50_ms: string | undefined;
  p99_ms: string | undefined;
  non_200: number;
  /** Server CPU per request and the rate one fully available core would sustain at that cost. */
  server_cpu_us_per_request?: number;
  server_capacity_req_per_s?: number;
}

/** Keeps `concurrency` requests in flight for `seconds`, cycling through `list`. */
async function load(port: number, list: Target[], seconds: number, concurrency: number): Promise<RunResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let bytes = 0;
  let errors = 0;
  let i = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = list[i++ % list.length];
        if (!t) return;
        const s = performance.now();
        const r = await request(agent, port, t);
        latencies.push(performance.now() - s);
        bytes += r.bytes;
        if (r.status !== 200) errors++;
      }
    }),
  );
  agent.destroy();
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]?.toFixed(1);
  return {
    requests: latencies.length,
    req_per_s: Math.round(latencies.length / elapsed),
    mb_per_s: Math.round((bytes / elapsed / 2 ** 20) * 10) / 10,
    p50_ms: pct(0.5),
    p99_ms: pct(0.99),
    non_200: errors,
  };
}

/** Targets repeated by weight and interleaved, so every window of the cycle has the same mix. */
function weighted(list: Target[]): Target[] {
  const byName = new Map<string, Target[]>();
  for (const t of list) byName.set(t.name, [...(byName.get(t.name) ?? []), t]);
  const out: Target[] = [];
  for (let round = 0; round < 40; round++) {
    for (const [name, ts] of byName) {
      const w = MIX_WEIGHTS[name] ?? 1;
      for (let k = 0; k < w; k++) {
        const t = ts[(round * w + k) % ts.length];
        if (t) out.push(t);
      }
    }
  }
  return out;
}

/** Extra node flags for the server process, e.g. SIM_BENCH_NODE_ARGS="--cpu-prof" to profile it. */
function childNodeArgs(): string[] {
  return (process.env.SIM_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a.length > 0);
}

async function main(): Promise<void> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...childNodeArgs(),
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--serve',
      '--tenants',
      String(tenants),
      '--posts-per-account',
      String(postsPerAccount),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  try {
    const started = await new Promise<{ port: number; posts: number; generationMs: number }>(
      (resolve, reject) => {
        child.stdout?.once('data', (chunk: Buffer) =>
          resolve(JSON.parse(chunk.toString()) as { port: number; posts: number; generationMs: number }),
        );
        child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      },
    );
    const truth = await getJson<Parameters<typeof targets>[0]>(started.port, '/admin/truth');
    const only = values.only;
    const list = targets(truth).filter((t) => only === undefined || t.name === only);
    const seconds = Number(values.seconds);
    const concurrency = Number(values.concurrency);
    // Warm-up so JIT and lazy paths don't count.
    await load(started.port, list, 2, concurrency);
    const measured = async (targetsToRun: Target[], secs: number): Promise<RunResult> => {
      const before = await serverCpu(child);
      const r = await load(started.port, targetsToRun, secs, concurrency);
      const perRequest = ((await serverCpu(child)) - before) / Math.max(1, r.requests);
      return {
        ...r,
        server_cpu_us_per_request: Math.round(perRequest),
        server_capacity_req_per_s: Math.round(1e6 / perRequest),
      };
    };
    const mix = await measured(weighted(list), seconds);
    const perEndpoint: Record<string, RunResult> = {};
    for (const name of new Set(list.map((t) => t.name))) {
      perEndpoint[name] = await measured(
        list.filter((t) => t.name === name),
        Number(values['endpoint-seconds']),
      );
    }
    const violations = await getJson<{ total: number }>(started.port, '/admin/violations');
    const result = {
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      load_average_at_end: os.loadavg().map((l) => Math.round(l * 100) / 100),
      posts: started.posts,
      generation_ms: Math.round(started.generationMs),
      concurrency,
      ingest_mix: { seconds, weights: MIX_WEIGHTS, ...mix },
      per_endpoint: perEndpoint,
      violations: violations.total,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

if (values.serve) await serve();
else await main();
