import type { AccountMetricsSnapshot, Platform, PostMetricsSnapshot } from '@postpulse/contracts';

/** Why a platform call (or one item of it) failed, in terms the scheduler acts on. */
export const errorKinds = [
  'rate_limited',
  'quota_exhausted',
  'auth_expired',
  'auth_revoked',
  'auth_invalid',
  'metric_retired',
  'not_found',
  'not_ready',
  'bad_request',
  'server_error',
] as const;
export type ErrorKind = (typeof errorKinds)[number];

export const isAuthError = (k: ErrorKind): boolean =>
  k === 'auth_expired' || k === 'auth_revoked' || k === 'auth_invalid';

/** An HTTP answer as the normalizers see it: header names lower-case. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface ResponseError {
  kind: ErrorKind;
  /** When the platform says calls may resume (epoch ms), else null. */
  retryAt: number | null;
  message: string;
  /** Meta #803 and similar: the ids the platform said do not exist. */
  missingIds?: string[];
  /** metric_retired: the metric named by the platform, when it names one. */
  metric?: string;
}

export interface ItemError {
  platform_post_id: string;
  kind: ErrorKind;
}

export interface NormalizeContext {
  tenant_id: string;
  platform: Platform;
  account_id: string;
  /** ISO time of the observation; the event id derives from it. */
  observed_at: string;
  /** Ids the request asked for: those the answer leaves out become item errors. */
  requested_ids?: readonly string[];
  /** Meta insights: the metrics asked for, to name the one a `metric[i]` error points at. */
  requested_metrics?: readonly string[];
}

export interface Normalized {
  snapshots: PostMetricsSnapshot[];
  itemErrors: ItemError[];
  /** Set when the whole response is an error; snapshots and itemErrors are then empty. */
  error: ResponseError | null;
  account?: AccountMetricsSnapshot;
}

export class PlatformError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly retryAt: number | null = null,
    readonly detail: Partial<ResponseError> = {},
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

export const emptyNormalized = (): Normalized => ({ snapshots: [], itemErrors: [], error: null });
export const failed = (error: ResponseError): Normalized => ({ snapshots: [], itemErrors: [], error });
