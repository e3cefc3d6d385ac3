// `postpulse normalize`: what a raw platform response turns into, as NDJSON, with the very functions
// the ingest services use.
import { readFileSync } from 'node:fs';
import { platformSchema } from '@postpulse/contracts';
import { normalizeResponse, type RawResponse, sources } from '@postpulse/ingest';
import type { Command } from 'commander';

export const NORMALIZE_ERROR_EXIT = 3;
const NIL_TENANT = '00000000-0000-0000-0000-000000000000';

export interface NormalizeCliOptions {
  platform: string;
  source: string;
  status?: string;
  header?: string[];
  tenant?: string;
  account?: string;
  postId?: string;
  observedAt?: string;
}

/** Runs one normalization; returns the output lines and the exit code (pure, for tests). */
export function runNormalize(o: NormalizeCliOptions, input: string): { lines: string[]; exitCode: number } {
  const platform = platformSchema.safeParse(o.platform);
  if (!platform.success) throw new Error(`--platform must be one of ${platformSchema.options.join(', ')}`);
  if (!sources[platform.data][o.source]) {
    throw new Error(
      `--source for ${platform.data} must be one of ${Object.keys(sources[platform.data]).join(', ')}`,
    );
  }
  const status = o.status === undefined ? 200 : Number(o.status);
  if (!Number.isInteger(status) || status < 100 || status > 599)
    throw new Error('--status must be an HTTP status');
  const headers: Record<string, string> = {};
  for (const h of o.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new Error(`--header must look like 'name: value' (got ${h})`);
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  let body: unknown = null;
  if (input.trim().length > 0) {
    try {
      body = JSON.parse(input);
    } catch {
      throw new Error('stdin is not JSON');
    }
  }
  const observedAt = o.observedAt ?? new Date().toISOString();
  if (!Number.isFinite(Date.parse(observedAt))) throw new Error('--observed-at must be an ISO time');
  const res: RawResponse = { status, headers, body };
  const ids = o.postId
    ? o.postId
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
  const out = normalizeResponse(platform.data, o.source, res, {
    tenant_id: o.tenant ?? NIL_TENANT,
    platform: platform.data,
    account_id: o.account ?? 'unknown',
    observed_at: new Date(observedAt).toISOString(),
    ...(ids ? { requested_ids: ids } : {}),
  });
  if (out.error) {
    const e = out.error;
    return {
      lines: [
        JSON.stringify({
          error: {
            kind: e.kind,
            retry_at: e.retryAt === null ? null : new Date(e.retryAt).toISOString(),
            message: e.message,
          },
        }),
      ],
      exitCode: NORMALIZE_ERROR_EXIT,
    };
  }
  const lines = out.snapshots.map((s) => JSON.stringify(s));
  for (const e of out.itemErrors)
    lines.push(JSON.stringify({ item_error: { platform_post_id: e.platform_post_id, kind: e.kind } }));
  if (out.account) lines.push(JSON.stringify(out.account));
  return { lines, exitCode: 0 };
}

export function registerNormalize(program: Command): void {
  program
    .command('normalize')
    .description(
      'turn a raw platform response (stdin) into snapshot events (NDJSON); exit 3 on an error response',
    )
    .requiredOption('--platform <platform>', 'twitter | linkedin | facebook | instagram')
    .requiredOption(
      '--source <source>',
      'twitter: tweets; linkedin: share-statistics, social-metadata, posts; facebook: post-insights, post-fields, published-posts; instagram: media-insights, media',
    )
    .option('--status <n>', 'HTTP status of the response', '200')
    .option(
      '--header <header>',
      "a response header 'name: value' (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--tenant <id>', 'tenant id for the events')
    .option('--account <id>', 'account id for the events')
    .option('--post-id <id>', 'the post(s) the request asked for (comma-separated)')
    .option('--observed-at <iso>', 'observation time (default: now)')
    .action((o: NormalizeCliOptions) => {
      const { lines, exitCode } = runNormalize(o, readFileSync(0, 'utf8'));
      for (const line of lines) process.stdout.write(`${line}\n`);
      process.exitCode = exitCode;
    });
}
