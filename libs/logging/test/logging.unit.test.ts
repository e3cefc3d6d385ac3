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
  log.child({ tenant_id: 't1' }).info({ account: { access_token: 'secret-token' } }, 'connected');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: 'info', name: 'svc', tenant_id: 't1', msg: 'connected' });
  expect(JSON.stringify(lines[0])).not.toContain('secret-token');
});
