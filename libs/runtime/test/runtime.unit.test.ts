import { Writable } from 'node:stream';
import { createLogger } from '@postpulse/logging';
import { describe, expect, it } from 'vitest';
import { createServiceRuntime } from '../src/index.js';

const quiet = createLogger({
  name: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, d) => d() }),
});

describe('service runtime', () => {
  it('is healthy and ready, then not ready once shutdown starts, running steps in order', async () => {
    const runtime = createServiceRuntime({ name: 'svc', logger: quiet });
    const order: string[] = [];
    let release: () => void = () => {};
    const blocked = new Promise<void>((r) => {
      release = r;
    });
    runtime.onShutdown({
      name: 'stop consumers',
      run: () => blocked.then(() => void order.push('consumers')),
    });
    runtime.onShutdown({ name: 'close pools', run: () => void order.push('pools') });

    expect((await runtime.app.request('/healthz')).status).toBe(200);
    expect((await runtime.app.request('/readyz')).status).toBe(200);

    const done = runtime.shutdown('SIGTERM');
    const during = await runtime.app.request('/readyz');
    expect(during.status).toBe(503);
    expect(await during.json()).toEqual({ status: 'shutting_down' });
    expect((await runtime.app.request('/healthz')).status).toBe(200);
    release();
    await done;
    expect(order).toEqual(['consumers', 'pools']);
  });

  it('reports failing readiness checks by name', async () => {
    const runtime = createServiceRuntime({ name: 'svc', logger: quiet });
    runtime.addReadinessCheck('kafka', () => false);
    runtime.addReadinessCheck('postgres', async () => {
      throw new Error('down');
    });
    const res = await runtime.app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not_ready', failed: ['kafka', 'postgres'] });
  });

  it('exports prometheus metrics with the service label', async () => {
    const runtime = createServiceRuntime({ name: 'svc', logger: quiet });
    const res = await runtime.app.request('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toMatch(/process_cpu_user_seconds_total\{service="svc"\}/);
  });
});
