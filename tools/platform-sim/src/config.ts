// Options for a simulator instance; every field has a default so `createSimApp()` just works.
import type { ControllableClock } from './clock.js';
import type { FaultConfig } from './faults.js';

export type XEndpoint = 'tweets_lookup' | 'user_tweets' | 'users_lookup';

export interface XLimits {
  windowMs: number;
  endpoints: Record<XEndpoint, { perUser: number; perApp: number }>;
  /** Posts read per UTC month per app before `usage-capped`; null = no cap. */
  monthlyPostCap: number | null;
}

export interface LinkedInLimits {
  /** Calls per UTC day per resource for the whole app. */
  appDaily: number;
  /** Calls per UTC day per resource for one member (token). */
  memberDaily: number;
}

export interface MetaLimits {
  /** Platform rate limit: calls per rolling hour for the app (code 4). */
  appPerHour: number;
  /** Business use case limit per Page per rolling 24 h (code 80001). */
  pagePerDay: number;
  /** Business use case limit per Instagram account per rolling 24 h (code 80002). */
  instagramPerDay: number;
  /** Each call made while blocked pushes the end of the block out by this much. */
  penaltyMs: number;
  /** Which throttling error each scope answers with. */
  codes: { app: 4 | 17 | 613; page: 32 | 80001; instagram: 80002 | 613 };
}

export interface SimLimits {
  x: XLimits;
  linkedin: LinkedInLimits;
  meta: MetaLimits;
}

export interface SimOptions {
  seed?: number;
  tenants?: number;
  accountsPerPlatform?: number;
  postsPerAccount?: number;
  days?: number;
  /** End of the past publishing range (ISO or epoch ms). Default: the clock's start time, floored to the hour. */
  anchor?: string | number;
  /** Days after `anchor` that keep receiving posts, so discovery sees new posts as time passes. Default 0. */
  futureDays?: number;
  /** Start time (ISO or epoch ms) of a frozen clock. Without it the clock follows wall time. */
  now?: string | number;
  /** Inject your own clock (takes precedence over `now`). */
  clock?: ControllableClock;
  limits?: DeepPartial<SimLimits>;
  faults?: DeepPartial<FaultConfig>;
  /** How added latency waits; tests inject a recorder instead of a real timer. */
  sleep?: (ms: number) => Promise<void>;
}

export type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends ReadonlyArray<unknown>
    ? T[K]
    : T[K] extends object
      ? DeepPartial<T[K]>
      : T[K];
};

export const DEFAULT_LIMITS: SimLimits = {
  x: {
    windowMs: 15 * 60_000,
    endpoints: {
      tweets_lookup: { perUser: 5000, perApp: 3500 },
      user_tweets: { perUser: 900, perApp: 10_000 },
      users_lookup: { perUser: 900, perApp: 300 },
    },
    monthlyPostCap: null,
  },
  linkedin: { appDaily: 100_000, memberDaily: 10_000 },
  meta: {
    appPerHour: 20_000,
    pagePerDay: 50_000,
    instagramPerDay: 50_000,
    penaltyMs: 60_000,
    codes: { app: 4, page: 80001, instagram: 80002 },
  },
};

export const DEFAULTS = {
  seed: 42,
  tenants: 3,
  accountsPerPlatform: 1,
  postsPerAccount: 200,
  days: 120,
  futureDays: 0,
} as const;

export function toEpochMs(value: string | number, what: string): number {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`${what} is not a valid time: ${String(value)}`);
  return ms;
}

/** Deep merge of plain objects; arrays and scalars in `patch` replace. */
export function mergeDeep<T>(base: T, patch: DeepPartial<T> | undefined): T {
  if (patch === undefined) return structuredClone(base);
  const out = structuredClone(base) as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === undefined) continue;
    const current = out[k];
    if (isPlainObject(v) && isPlainObject(current)) out[k] = mergeDeep(current, v);
    else out[k] = v;
  }
  return out as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
