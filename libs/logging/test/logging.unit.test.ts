import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from '../src/index.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, destination };
}

it('writes JSON with level labels, child bindings and redacted secrets', () => {
  const { lines, destination } = capture();
  const log = createLogger({ name: 'svc', destination });
  const account = { id: 'a1', access_token: 'secret-token', refresh_token: 'secret-refresh' };
  log.child({ tenant_id: 't1' }).info({ account, status: 200 }, 'connected');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    level: 'info',
    name: 'svc',
    tenant_id: 't1',
    msg: 'connected',
    status: 200,
    account: { id: 'a1', access_token: '[redacted]', refresh_token: '[redacted]' },
  });
  expect(JSON.stringify(lines[0])).not.toContain('secret-');
  // The caller's object is left as it was.
  expect(account.access_token).toBe('secret-token');
});

it('redacts secrets in child bindings and on errors, and keeps the error serialized', () => {
  const { lines, destination } = capture();
  const log = createLogger({ name: 'svc', destination });
  const err = Object.assign(new Error('refused'), { authorization: 'Bearer secret-key' });
  log.child({ request: { api_key: 'secret-api-key', path: '/x' } }).error({ err }, 'failed');
  expect(lines[0]).toMatchObject({
    request: { api_key: '[redacted]', path: '/x' },
    err: { type: 'Error', message: 'refused', authorization: '[redacted]' },
  });
  expect(JSON.stringify(lines[0])).not.toContain('secret-');
  expect(String((lines[0]?.err as { stack?: string } | undefined)?.stack)).toContain('Error: refused');
});
