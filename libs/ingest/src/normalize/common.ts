import {
  type AccountMetricsSnapshot,
  type contentTypes,
  emptyPostMetrics,
  type Platform,
  type PostMetrics,
  type PostMetricsSnapshot,
  snapshotEventId,
} from '@postpulse/contracts';
import type { NormalizeContext } from '../types.js';

export type Json = Record<string, unknown>;
export type ContentType = (typeof contentTypes)[number];

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/**
 * A lifetime count as the platform reported it: a finite non-negative number, else null (unknown).
 * Never turns an absent field into 0; negative counts (LinkedIn) are anomalies, not data.
 */
export function count(v: unknown): number | null {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return null;
  return Math.round(v);
}

/** Sum of counts; null when any part is unknown. */
export function sum(...parts: Array<number | null>): number | null {
  let total = 0;
  for (const p of parts) {
    if (p === null) return null;
    total += p;
  }
  return total;
}

/** Any platform time (X ISO, Meta `+0000`, LinkedIn epoch ms) → ISO UTC, or null. */
export function toIso(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v).toISOString();
  if (typeof v !== 'string') return null;
  const fixed = v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(fixed);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

const HASHTAG = /(?:^|[^\p{L}\p{N}_&/])#([\p{L}\p{N}_]{1,139})/gu;

/** Hashtags in order of appearance, without `#`, lower-cased and deduplicated. */
export function hashtagsOf(text: string | null): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const m of text.matchAll(HASHTAG)) {
    const tag = m[1]?.toLowerCase();
    if (tag && !/^\d+$/.test(tag) && !out.includes(tag)) out.push(tag);
  }
  return out.slice(0, 100);
}

export function postSnapshot(
  ctx: NormalizeContext,
  platform: Platform,
  postId: string,
  post: PostMetricsSnapshot['post'],
  metrics: Partial<PostMetrics>,
): PostMetricsSnapshot {
  const observed_at = new Date(ctx.observed_at).toISOString();
  return {
    schema_version: 1,
    event_id: snapshotEventId({ tenant_id: ctx.tenant_id, platform, subject_id: postId, observed_at }),
    tenant_id: ctx.tenant_id,
    platform,
    account_id: ctx.account_id,
    platform_post_id: postId,
    observed_at,
    post,
    metrics: { ...emptyPostMetrics(), ...metrics },
  };
}

export function accountSnapshot(
  ctx: NormalizeContext,
  metrics: AccountMetricsSnapshot['metrics'],
): AccountMetricsSnapshot {
  const observed_at = new Date(ctx.observed_at).toISOString();
  return {
    schema_version: 1,
    // Prefixed so an account id can never collide with a post id of the same platform.
    event_id: snapshotEventId({
      tenant_id: ctx.tenant_id,
      platform: ctx.platform,
      subject_id: `account:${ctx.account_id}`,
      observed_at,
    }),
    tenant_id: ctx.tenant_id,
    platform: ctx.platform,
    account_id: ctx.account_id,
    observed_at,
    metrics,
  };
}

/** Next 00:00 UTC after `at`. */
export const nextUtcMidnight = (at: number): number => (Math.floor(at / 86_400_000) + 1) * 86_400_000;

/** First instant of the next UTC month after `at`. */
export function nextUtcMonth(at: number): number {
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export const truncate = (s: string, n = 500): string => (s.length > n ? `${s.slice(0, n)}…` : s);
