import { type ServerType, serve } from '@hono/node-server';
import type { Logger } from '@postpulse/logging';
import { Hono } from 'hono';
import { collectDefaultMetrics, Registry } from 'prom-client';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

export interface ServiceRuntime {
  /** Operational endpoints; a service may mount its own routes on it too. */
  app: Hono;
  registry: Registry;
  /** Steps run in the order added, after readiness goes off: stop intake, flush, close. */
  onShutdown(step: ShutdownStep): void;
  /** Readiness also requires every check to pass (a consumer joined, a pool reachable). */
  addReadinessCheck(name: string, check: () => Promise<boolean> | boolean): void;
  listen(port: number, host?: string): Promise<{ port: number }>;
  shutdown(reason: string): Promise<void>;
  /** SIGTERM/SIGINT start the ordered shutdown; the process exits when it is done. */
  handleSignals(): void;
}

export function createServiceRuntime(opts: { name: string; logger: Logger }): ServiceRuntime {
  const { logger } = opts;
  const registry = new Registry();
  registry.setDefaultLabels({ service: opts.name });
  collectDefaultMetrics({ register: registry });

  const steps: ShutdownStep[] = [];
  const checks = new Map<string, () => Promise<boolean> | boolean>();
  let shuttingDown: Promise<void> | null = null;
  let server: ServerType | null = null;

  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (shuttingDown) return c.json({ status: 'shutting_down' }, 503);
    const failed: string[] = [];
    for (const [name, check] of checks) {
      const ok = await Promise.resolve()
        .then(check)
        .catch(() => false);
      if (!ok) failed.push(name);
    }
    return failed.length ? c.json({ status: 'not_ready', failed }, 503) : c.json({ status: 'ready' });
  });
  app.get('/metrics', async (c) =>
    c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }),
  );

  async function runShutdown(reason: string): Promise<void> {
    logger.info({ reason }, 'shutting down');
    for (const step of steps) {
      const started = Date.now();
      try {
        await step.run();
        logger.info({ step: step.name, ms: Date.now() - started }, 'shutdown step done');
      } catch (error) {
        logger.error({ step: step.name, err: error }, 'shutdown step failed');
      }
    }
    const current = server;
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
    logger.info('shutdown complete');
  }

  return {
    app,
    registry,
    onShutdown: (step) => steps.push(step),
    addReadinessCheck: (name, check) => checks.set(name, check),
    listen(port, host = '0.0.0.0') {
      return new Promise((resolve) => {
        server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
          logger.info({ port: info.port }, 'listening');
          resolve({ port: info.port });
        });
      });
    },
    shutdown(reason) {
      shuttingDown ??= runShutdown(reason);
      return shuttingDown;
    },
    handleSignals() {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          void this.shutdown(signal).finally(() => process.exit(0));
        });
      }
    },
  };
}
