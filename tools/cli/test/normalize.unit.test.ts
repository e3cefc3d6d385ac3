import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { postMetricsSnapshotSchema } from '@postpulse/contracts';
import { describe, expect, it } from 'vitest';
import { runNormalize } from '../src/commands/normalize.js';

const fixture = (
  platform: string,
  name: string,
): { status: number; headers: Record<string, string>; body: unknown } =>
  JSON.parse(
    readFileSync(new URL(`../../../libs/ingest/test/fixtures/${platform}.json`, import.meta.url), 'utf8'),
  )[name];

const base = {
  tenant: '6f1c2a3e-9b7d-4c5e-8f0a-1b2c3d4e5f60',
  account: 'acct',
  observedAt: '2026-11-20T10:00:00Z',
};

describe('postpulse normalize', () => {
  it('prints one snapshot per post and one item_error per per-item error', () => {
    const f = fixture('twitter', 'lookup');
    const { lines, exitCode } = runNormalize(
      { ...base, platform: 'twitter', source: 'tweets' },
      JSON.stringify(f.body),
    );
    expect(exitCode).toBe(0);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.slice(0, 2).every((p) => postMetricsSnapshotSchema.safeParse(p).success)).toBe(true);
    expect(parsed[2]).toEqual({ item_error: { platform_post_id: '1701234567890123456', kind: 'not_found' } });
  });

  it('absent metrics are null: a posts listing carries attributes only', () => {
    const f = fixture('linkedin', 'posts');
    const { lines } = runNormalize(
      { ...base, platform: 'linkedin', source: 'posts' },
      JSON.stringify(f.body),
    );
    const first = JSON.parse(lines[0] ?? '{}');
    expect(first.post.content_type).toBe('video');
    expect(Object.values(first.metrics).every((v) => v === null)).toBe(true);
  });

  it('instagram data [] is an item error not_ready, never zeros', () => {
    const f = fixture('instagram', 'insightsIds');
    const { lines } = runNormalize(
      { ...base, platform: 'instagram', source: 'media-insights' },
      JSON.stringify(f.body),
    );
    expect(lines.map((l) => JSON.parse(l)).at(-1)).toEqual({
      item_error: { platform_post_id: '17900000000000002', kind: 'not_ready' },
    });
  });

  it('an error response is one error line with exit code 3 and the retry time from headers', () => {
    const f = fixture('facebook', 'throttled');
    const { lines, exitCode } = runNormalize(
      {
        ...base,
        platform: 'facebook',
        source: 'post-fields',
        status: '400',
        header: [`x-business-use-case-usage: ${f.headers['x-business-use-case-usage']}`],
      },
      JSON.stringify(f.body),
    );
    expect(exitCode).toBe(3);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toEqual({
      error: {
        kind: 'rate_limited',
        retry_at: '2026-11-20T10:17:00.000Z',
        message: expect.stringContaining('#80001'),
      },
    });
    const li = runNormalize(
      { ...base, platform: 'linkedin', source: 'share-statistics', status: '401' },
      JSON.stringify(fixture('linkedin', 'expired').body),
    );
    expect(JSON.parse(li.lines[0] ?? '{}').error).toMatchObject({ kind: 'auth_expired', retry_at: null });
  });

  it('rejects bad arguments with a clear message', () => {
    expect(() => runNormalize({ platform: 'myspace', source: 'x' }, '{}')).toThrow(/--platform/);
    expect(() => runNormalize({ platform: 'twitter', source: 'posts' }, '{}')).toThrow(/tweets/);
    expect(() => runNormalize({ platform: 'twitter', source: 'tweets', header: ['nocolon'] }, '{}')).toThrow(
      /--header/,
    );
    expect(() => runNormalize({ platform: 'twitter', source: 'tweets' }, 'not json')).toThrow(/not JSON/);
  });

  it('the CLI binary reads stdin, prints NDJSON and exits 3 on an error response', () => {
    const bin = fileURLToPath(new URL('../bin/postpulse.js', import.meta.url));
    const f = fixture('twitter', 'rateLimited');
    const r = spawnSync(
      process.execPath,
      [
        bin,
        'normalize',
        '--platform',
        'twitter',
        '--source',
        'tweets',
        '--status',
        '429',
        '--header',
        'x-rate-limit-reset: 1795000900',
      ],
      { input: JSON.stringify(f.body), encoding: 'utf8' },
    );
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout.trim())).toEqual({
      error: {
        kind: 'rate_limited',
        retry_at: new Date(1795000900_000).toISOString(),
        message: 'Too Many Requests',
      },
    });
  }, 30_000);
});
