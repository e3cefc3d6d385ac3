import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, isAbsolute } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface RunAs {
  uid: number;
  gid: number;
}

/** Starts a server detached from us, output appended to its log, its pid recorded for `down`. */
export function startDetached(opts: {
  command: string;
  args: string[];
  pidFile: string;
  logFile: string;
  cwd: string;
  env?: Record<string, string>;
  runAs?: RunAs | undefined;
}): number {
  if (isAbsolute(opts.command) && !existsSync(opts.command)) {
    throw new Error(`${opts.command} is not installed; run \`postpulse stack install\``);
  }
  mkdirSync(dirname(opts.pidFile), { recursive: true });
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const out = openSync(opts.logFile, 'a');
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, ...opts.env },
    ...(opts.runAs ?? {}),
  });
  if (child.pid === undefined) throw new Error(`could not start ${opts.command}`);
  child.unref();
  writeFileSync(opts.pidFile, `${child.pid}\n`);
  return child.pid;
}

export function readPid(pidFile: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * A pid file can outlive its process and the pid be reused, so a pid only counts as ours when the
 * process's command line still names `marker` (its data or config path).
 */
export function isOurs(pid: number, marker: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z' && cmdline.includes(marker);
  } catch {
    return false;
  }
}

export function runningPid(pidFile: string, marker: string): number | null {
  const pid = readPid(pidFile);
  return pid !== null && isOurs(pid, marker) ? pid : null;
}

/** `signal`, wait for the process to go, SIGKILL after `graceMs`; then forget the pid file. */
export async function stopProcess(
  pidFile: string,
  marker: string,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 30_000,
): Promise<boolean> {
  const pid = runningPid(pidFile, marker);
  if (pid === null) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isOurs(pid, marker) && Date.now() < deadline) await delay(100);
  if (isOurs(pid, marker)) process.kill(pid, 'SIGKILL');
  while (isOurs(pid, marker)) await delay(50);
  rmSync(pidFile, { force: true });
  return true;
}

/** Polls `check` until it resolves true; the last error is in the timeout message. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await delay(200);
  }
  const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`${what} was not ready within ${Math.round(timeoutMs / 1000)} s${cause}`);
}

/** True when something accepts connections on the loopback port. */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
