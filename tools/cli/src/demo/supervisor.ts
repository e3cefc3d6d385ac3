import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { repoRoot } from '@postpulse/stack';

export interface Supervised {
  name: string;
  logFile: string;
  stop(): Promise<void>;
  kill(): void;
}

/**
 * Runs a service as a child process the way it runs in production (its own process, its own
 * config from the environment), its output in a log file, and fails loudly if it dies early.
 */
export function startService(opts: {
  name: string;
  entry: string;
  env: Record<string, string>;
  logDir: string;
  onExit: (name: string, code: number | null) => void;
}): Supervised {
  mkdirSync(opts.logDir, { recursive: true });
  const logFile = join(opts.logDir, `${opts.name}.log`);
  // The log file, not a pipe through us: a service still writes its shutdown lines if we are gone.
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, opts.entry)], {
    cwd: repoRoot,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  let stopping = false;
  child.once('exit', (code) => {
    if (!stopping) opts.onExit(opts.name, code);
  });
  return {
    name: opts.name,
    logFile,
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const timedOut = await Promise.race([exited.then(() => false), delay(15_000).then(() => true)]);
      if (timedOut) child.kill('SIGKILL');
    },
    kill() {
      stopping = true;
      child.kill('SIGKILL');
    },
  };
}
