// Services under benchmark run in processes of their own, as in production: the load generator must not
// share an event loop with the server it measures.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { repoRoot } from '@postpulse/stack';
import { freePort, waitUntil } from '@postpulse/testing';

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `services/<name>/src/main.ts` with `env` on a free port and, unless `ready` is false, waits for its
 * /readyz. Its output is discarded unless `inherit` (logs are still written, so their cost is measured).
 */
export async function startService(
  name: string,
  env: Record<string, string>,
  opts: { nodeArgs?: string[]; inherit?: boolean; ready?: boolean } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), '--import', 'tsx', `${repoRoot}/services/${name}/src/main.ts`],
    {
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', opts.inherit ? 'inherit' : 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  if (opts.ready !== false) {
    await waitUntil(
      `${name} ready`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
        return fetch(`${url}/readyz`)
          .then((r) => r.status)
          .catch(() => 0);
      },
      (status) => status === 200,
      { timeoutMs: 60_000 },
    );
  }
  return {
    child,
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const TICK = 100; // USER_HZ on Linux

/** CPU seconds used so far per process of the stack's servers and the service under test, from /proc. */
export function cpuByProcess(
  servicePid: number,
  serviceName: string,
): Map<number, { component: string; seconds: number }> {
  const out = new Map<number, { component: string; seconds: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const component =
        Number(entry) === servicePid
          ? serviceName
          : cmd.startsWith('postgres') || cmd.includes('/bin/postgres')
            ? 'postgres'
            : cmd.includes('clickhouse-server')
              ? 'clickhouse'
              : cmd.includes('kafka.Kafka')
                ? 'kafka'
                : cmd.includes('redis-server')
                  ? 'redis'
                  : null;
      if (!component) continue;
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      out.set(Number(entry), { component, seconds: (Number(fields[11]) + Number(fields[12])) / TICK });
    } catch {
      // The process ended between listing and reading.
    }
  }
  return out;
}

/**
 * CPU seconds per component between two readings. Processes that exited in between are missed, and
 * the servers also serve whatever else runs on the machine, so server figures are upper bounds.
 */
export function cpuDelta(
  before: Map<number, { component: string; seconds: number }>,
  after: Map<number, { component: string; seconds: number }>,
): Record<string, number> {
  const out: Record<string, number> = { postgres: 0, clickhouse: 0, kafka: 0, redis: 0 };
  for (const [pid, { component, seconds }] of after) {
    out[component] = (out[component] ?? 0) + seconds - (before.get(pid)?.seconds ?? 0);
  }
  return out;
}
