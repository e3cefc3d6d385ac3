import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOurs, portInUse, readPid, runningPid, startDetached, stopProcess } from '../src/processes.js';

describe('stack process control', () => {
  it('starts a detached process, recognises it by its marker, and stops it by pid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-proc-'));
    const marker = join(dir, 'marker-arg');
    const pidFile = join(dir, 'run', 'sleeper.pid');
    const pid = startDetached({
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)', marker],
      pidFile,
      logFile: join(dir, 'logs', 'sleeper.log'),
      cwd: dir,
    });
    expect(readPid(pidFile)).toBe(pid);
    expect(runningPid(pidFile, marker)).toBe(pid);
    expect(isOurs(pid, '/some/other/stack')).toBe(false);

    expect(await stopProcess(pidFile, marker)).toBe(true);
    expect(isOurs(pid, marker)).toBe(false);
    expect(readPid(pidFile)).toBeNull();
    expect(await stopProcess(pidFile, marker)).toBe(false);
  });

  it('refuses to name a missing binary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-proc-'));
    expect(() =>
      startDetached({
        command: '/nonexistent/server',
        args: [],
        pidFile: join(dir, 'x.pid'),
        logFile: join(dir, 'x.log'),
        cwd: dir,
      }),
    ).toThrow(/not installed/);
  });

  it('tells a taken port from a free one', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    expect(await portInUse(port)).toBe(true);
    await new Promise((r) => server.close(r));
    expect(await portInUse(port)).toBe(false);
  });
});
