import { postMetricsSnapshotSchema } from '@postpulse/contracts';
import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../src/decode.js';
import { postEvent } from './fixtures.js';

const good = postEvent({
  tenant_id: '6b0c1d0e-0000-4000-8000-000000000001',
  platform_post_id: 'p1',
  observed_at: '2026-11-20T10:00:00Z',
});
const decode = (value: string | null, max = 4096) =>
  decodeEvent(value === null ? null : Buffer.from(value), postMetricsSnapshotSchema, max);

describe('decodeEvent', () => {
  it('accepts a contract event', () => {
    expect(decode(JSON.stringify(good))).toEqual({ ok: true, event: good });
  });

  it.each([
    ['empty', null],
    ['empty', ''],
    ['invalid_json', '{"a":'],
    ['unknown_platform', JSON.stringify({ ...good, platform: 'myspace' })],
    ['unsupported_schema_version', JSON.stringify({ ...good, schema_version: 2 })],
    ['schema_violation', JSON.stringify({ ...good, event_id: 'x' })],
    ['schema_violation', 'null'],
    ['schema_violation', JSON.stringify({ ...good, platform: 42 })],
    ['observed_at_out_of_range', JSON.stringify({ ...good, observed_at: '2150-01-01T00:00:00Z' })],
    ['oversized', JSON.stringify({ ...good, post: { ...good.post, content_text: 'x'.repeat(5000) } })],
  ])('rejects as %s: %s', (reason, value) => {
    const result = decode(value);
    expect(result).toMatchObject({ ok: false, reason });
    expect(result.ok || result.detail.length > 0).toBe(true);
  });

  it('names the failing field and keeps the detail short', () => {
    const result = decode(JSON.stringify({ ...good, metrics: { ...good.metrics, clicks: 'many' } }), 1 << 20);
    expect(result).toMatchObject({ ok: false, reason: 'schema_violation' });
    if (!result.ok) expect(result.detail).toMatch(/^metrics\.clicks: /);
    const huge = decode(
      JSON.stringify(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, i]))),
      1 << 20,
    );
    if (!huge.ok) expect(huge.detail.length).toBeLessThanOrEqual(1000);
  });
});
