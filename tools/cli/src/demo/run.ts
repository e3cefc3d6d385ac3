import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { connectAccount } from '@postpulse/accounts';
import { createDb } from '@postpulse/db';
import { startSim } from '@postpulse/platform-sim';
import { createTokenCipher, generateTokenKey, parseTokenKeys } from '@postpulse/secrets';
import { portInUse, type Stack } from '@postpulse/stack';
import { createApiKey } from '@postpulse/tenancy';

import { type Supervised, startService } from './supervisor.js';

export interface DemoOptions {
  apiPort: number;
  simPort: number;
  seed: number;
  postsPerAccount: number;
}

const services = [
  { name: 'aggregator', entry: 'services/aggregator/src/main.ts' },
  { name: 'ingest-twitter', entry: 'services/ingest-twitter/src/main.ts' },
  { name: 'ingest-linkedin', entry: 'services/ingest-linkedin/src/main.ts' },
  { name: 'ingest-meta', entry: 'services/ingest-meta/src/main.ts' },
  { name: 'query-api', entry: 'services/query-api/src/main.ts' },
] as const;

/** The demo's token key survives restarts, so accounts connected by an earlier run still decrypt. */
function demoTokenKey(dir: string): string {
  const file = join(dir, 'token-key');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, generateTokenKey('demo1'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/**
 * Everything after the stack is up: the simulator, the services as processes, a demo tenant whose
 * accounts are the simulator's, and a wait until the API shows data. Returns how to stop it all.
 */
export interface RunningDemo {
  stop(): Promise<void>;
  /** For a second Ctrl-C: no waiting for graceful shutdowns. */
  kill(): void;
}

export async function runDemo(stack: Stack, opts: DemoOptions): Promise<RunningDemo> {
  const started = Date.now();
  for (const port of [opts.apiPort, opts.simPort]) {
    if (await portInUse(port))
      throw new Error(`port ${port} is taken; set DEMO_API_PORT / DEMO_SIM_PORT to free ones`);
  }
  const demoDir = join(stack.paths.root, 'demo');
  const tokenKey = demoTokenKey(demoDir);
  const sim = await startSim({
    port: opts.simPort,
    seed: opts.seed,
    tenants: 1,
    postsPerAccount: opts.postsPerAccount,
  });
  const truth = sim.sim.truth({ posts: false });
  const first = truth.accounts[0];
  if (!first) throw new Error('the simulated world has no accounts');
  const tenantId = first.tenant_id;

  const db = createDb({ url: stack.env.DATABASE_URL, applicationName: 'postpulse-demo' });
  let apiKey: string;
  try {
    await db
      .insertInto('tenants')
      .values({ id: tenantId, name: 'Demo Agency', timezone: first.timezone })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    apiKey = (await createApiKey(db, { tenantId, scopes: ['read', 'write'], name: 'demo' })).api_key;
    const cipher = createTokenCipher({ keys: parseTokenKeys(tokenKey), currentKeyId: 'demo1' });
    for (const account of truth.accounts.filter((a) => a.tenant_id === tenantId)) {
      await connectAccount(
        { db, cipher, now: () => Date.now() },
        {
          tenant_id: tenantId,
          platform: account.platform,
          account_id: account.account_id,
          access_token: account.token,
          display_name: account.name,
        },
      );
    }
  } finally {
    await db.destroy();
  }

  const env: Record<string, string> = {
    ...stack.env,
    TOKEN_KEYS: tokenKey,
    TOKEN_KEY_CURRENT: 'demo1',
    X_API_BASE_URL: sim.urls.x,
    LINKEDIN_API_BASE_URL: sim.urls.linkedin,
    META_API_BASE_URL: sim.urls.meta,
    LOG_LEVEL: 'info',
  };
  const running: Supervised[] = [];
  let failed: string | null = null;
  for (const s of services) {
    running.push(
      startService({
        ...s,
        env: { ...env, PORT: s.name === 'query-api' ? String(opts.apiPort) : '0' },
        logDir: join(stack.paths.logs, 'demo'),
        onExit: (name, code) => {
          failed = `${name} exited with code ${code}; see ${join(stack.paths.logs, 'demo', `${name}.log`)}`;
          console.error(`demo: ${failed}`);
        },
      }),
    );
  }
  const stop = async () => {
    await Promise.all(running.map((r) => r.stop()));
    await sim.close();
  };

  const api = `http://127.0.0.1:${opts.apiPort}/api/v1`;
  console.log('demo: waiting for the first metrics to reach the API …');
  const deadline = Date.now() + 180_000;
  while (!(await hasData(api, apiKey))) {
    if (failed || Date.now() > deadline) {
      await stop();
      throw new Error(
        failed ?? `no data reached the API within 180 s; see the logs in ${join(stack.paths.logs, 'demo')}`,
      );
    }
    await delay(1000);
  }

  console.log(`
PostPulse is running (data visible after ${((Date.now() - started) / 1000).toFixed(1)} s).

  API        ${api}
  API docs   ${api}/docs
  API key    ${apiKey}
  platforms  simulated: ${sim.urls.x}, ${sim.urls.linkedin}, ${sim.urls.meta}
  logs       ${join(stack.paths.logs, 'demo')}/

Try:
  curl -s -H 'Authorization: Bearer ${apiKey}' '${api}/analytics/overview' | head -c 1500
  curl -s -H 'Authorization: Bearer ${apiKey}' '${api}/analytics/best-times?days=90'

Ctrl-C stops everything the demo started.`);
  return {
    stop,
    kill: () => {
      for (const r of running) r.kill();
    },
  };
}

async function hasData(api: string, apiKey: string): Promise<boolean> {
  try {
    const res = await fetch(`${api}/analytics/overview`, { headers: { authorization: `Bearer ${apiKey}` } });
    if (!res.ok) return false;
    const body = (await res.json()) as { summary?: { total_posts?: number } };
    return (body.summary?.total_posts ?? 0) > 0;
  } catch {
    return false;
  }
}
