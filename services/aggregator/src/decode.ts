import { platforms } from '@postpulse/contracts';
import type { z } from 'zod';

/** Why a message went to the DLQ; the `postpulse-dlq-reason` header carries one of these. */
export const rejectReasons = [
  'empty',
  'oversized',
  'invalid_json',
  'unknown_platform',
  'unsupported_schema_version',
  'schema_violation',
  'observed_at_out_of_range',
] as const;
export type RejectReason = (typeof rejectReasons)[number];

export type Decoded<T> = { ok: true; event: T } | { ok: false; reason: RejectReason; detail: string };

const knownPlatforms: ReadonlySet<string> = new Set(platforms);
const MAX_DETAIL = 1000;
// ClickHouse's DateTime spans 1970–2105 and partitions are made per month; an instant outside these
// bounds is a producer bug, and would otherwise create partitions that nothing ever reads.
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

function summarize(error: z.ZodError): string {
  const text = error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}

/**
 * Turns raw message bytes into a contract event or a reject reason. The cheap checks come first, and
 * platform and version get reasons of their own because they point at different fixes upstream
 * (a new platform, a newer producer) than a broken field does.
 */
export function decodeEvent<T extends { observed_at: string }>(
  value: Buffer | null,
  schema: z.ZodType<T>,
  maxBytes: number,
): Decoded<T> {
  if (value === null || value.length === 0) return { ok: false, reason: 'empty', detail: 'no value' };
  if (value.length > maxBytes) {
    return { ok: false, reason: 'oversized', detail: `${value.length} bytes > limit ${maxBytes}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return {
      ok: false,
      reason: 'invalid_json',
      detail: error instanceof Error ? error.message : 'unparsable',
    };
  }
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const { platform, schema_version } = json as Record<string, unknown>;
    if (typeof platform === 'string' && !knownPlatforms.has(platform)) {
      return { ok: false, reason: 'unknown_platform', detail: platform.slice(0, 100) };
    }
    if (typeof schema_version === 'number' && schema_version !== 1) {
      return { ok: false, reason: 'unsupported_schema_version', detail: String(schema_version) };
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'schema_violation', detail: summarize(parsed.error) };
  const observed = Date.parse(parsed.data.observed_at);
  if (!(observed >= EARLIEST && observed < LATEST)) {
    return { ok: false, reason: 'observed_at_out_of_range', detail: parsed.data.observed_at };
  }
  return { ok: true, event: parsed.data };
}
