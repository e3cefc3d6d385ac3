// Every platform call goes through here: the shared rate limiter first (a call we know will be
// refused is never sent), then a circuit breaker per endpoint around a fetch with its own timeout,
// and retries with jittered backoff for transient failures only.
import type { Logger } from '@postpulse/logging';
import type { Bucket, Clock, RateLimiter } from '@postpulse/ratelimit';
import CircuitBreaker from 'opossum';
import type { Registry } from 'prom-client';
import { type IngestMetrics, ingestMetrics } from './metrics.js';
import { PlatformError, type RawResponse } from './types.js';

export interface HttpSettings {
  /** Per-call timeout, enforced with an AbortSignal. */
  timeoutMs: number;
  /** Extra attempts after a transient failure (5xx, timeout, connection error). */
  retries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  breaker: {
    /** How long the breaker stays open before one half-open probe. */
    resetTimeoutMs: number;
    errorThresholdPercentage: number;
    /** Calls in the rolling window before the error rate counts. */
    volumeThreshold: number;
    rollingCountTimeoutMs: number;
  };
}

export const defaultHttpSettings: HttpSettings = {
  timeoutMs: 15_000,
  retries: 2,
  backoffBaseMs: 250,
  backoffMaxMs: 5_000,
  breaker: {
    resetTimeoutMs: 30_000,
    errorThresholdPercentage: 50,
    volumeThreshold: 5,
    rollingCountTimeoutMs: 30_000,
  },
};

export interface CallSpec {
  /** Breaker and metric label: one breaker per platform endpoint. */
  endpoint: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Taken from the shared limiter before every attempt. */
  buckets: readonly Bucket[];
  cost?: number;
  /** Adapts the limiter to what the platform said (headers, throttling answers). Runs on every answer. */
  observe?: (res: RawResponse) => Promise<void>;
}

/** A transient failure: counts against the breaker and may be retried. */
class TransientError extends Error {
  constructor(
    readonly outcome: 'http_5xx' | 'timeout' | 'network',
    message: string,
    readonly response: RawResponse | null = null,
  ) {
    super(message);
  }
}

export interface HttpDeps {
  logger: Logger;
  registry: Registry;
  clock: Clock;
  limiter: RateLimiter;
  fetch?: typeof fetch;
  /** Real-time waits between retries; tests may shorten them through settings. */
  sleep?: (ms: number) => Promise<void>;
}

const STATE = { closed: 0, halfOpen: 1, open: 2 } as const;

export class PlatformClient {
  private readonly breakers = new Map<string, CircuitBreaker<[CallSpec], RawResponse>>();
  private readonly metrics: IngestMetrics;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  /** HTTP calls actually sent (attempts), for efficiency figures. */
  sent = 0;

  constructor(
    readonly platform: string,
    private readonly deps: HttpDeps,
    private readonly settings: HttpSettings = defaultHttpSettings,
  ) {
    this.metrics = ingestMetrics(deps.registry);
    this.fetchFn = deps.fetch ?? fetch;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  breakerState(endpoint: string): 'closed' | 'open' | 'half_open' {
    const b = this.breakers.get(endpoint);
    if (!b) return 'closed';
    return b.opened ? 'open' : b.halfOpen ? 'half_open' : 'closed';
  }

  private breaker(endpoint: string): CircuitBreaker<[CallSpec], RawResponse> {
    let b = this.breakers.get(endpoint);
    if (b) return b;
    const s = this.settings.breaker;
    b = new CircuitBreaker((spec: CallSpec) => this.send(spec), {
      timeout: false,
      resetTimeout: s.resetTimeoutMs,
      errorThresholdPercentage: s.errorThresholdPercentage,
      volumeThreshold: s.volumeThreshold,
      rollingCountTimeout: s.rollingCountTimeoutMs,
      name: `${this.platform}:${endpoint}`,
      // Only transient failures open the breaker; 4xx and 429 are answers, not outages.
      errorFilter: (err: unknown) => !(err instanceof TransientError),
    });
    const labels = { platform: this.platform, endpoint };
    const log = this.deps.logger.child({ platform: this.platform, endpoint });
    this.metrics.breakerState.set(labels, STATE.closed);
    b.on('open', () => {
      this.metrics.breakerState.set(labels, STATE.open);
      this.metrics.breakerTransitions.inc({ ...labels, state: 'open' });
      log.warn({ reset_ms: s.resetTimeoutMs }, 'circuit breaker opened');
    });
    b.on('halfOpen', () => {
      this.metrics.breakerState.set(labels, STATE.halfOpen);
      this.metrics.breakerTransitions.inc({ ...labels, state: 'half_open' });
      log.info('circuit breaker half-open: one probe call');
    });
    b.on('close', () => {
      this.metrics.breakerState.set(labels, STATE.closed);
      this.metrics.breakerTransitions.inc({ ...labels, state: 'closed' });
      log.info('circuit breaker closed');
    });
    this.breakers.set(endpoint, b);
    return b;
  }

  private async send(spec: CallSpec): Promise<RawResponse> {
    const labels = { platform: this.platform, endpoint: spec.endpoint };
    const end = this.metrics.requestSeconds.startTimer(labels);
    this.sent++;
    let response: Response;
    try {
      const init: RequestInit = {
        method: spec.method ?? 'GET',
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      };
      if (spec.headers) init.headers = spec.headers;
      if (spec.body !== undefined) init.body = spec.body;
      response = await this.fetchFn(spec.url, init);
    } catch (e) {
      end();
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      const outcome = timedOut ? 'timeout' : 'network';
      this.metrics.requests.inc({ ...labels, outcome });
      throw new TransientError(
        outcome,
        timedOut ? `timed out after ${this.settings.timeoutMs} ms` : String(e),
      );
    }
    let text: string;
    try {
      text = await response.text();
    } catch (e) {
      end();
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      this.metrics.requests.inc({ ...labels, outcome: timedOut ? 'timeout' : 'network' });
      throw new TransientError(timedOut ? 'timeout' : 'network', String(e));
    }
    end();
    let body: unknown = null;
    try {
      body = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      body = { raw: text.slice(0, 500) };
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    const res: RawResponse = { status: response.status, headers, body };
    const s = response.status;
    const outcome = s < 400 ? 'ok' : s === 429 ? 'http_429' : s >= 500 ? 'http_5xx' : 'http_4xx';
    this.metrics.requests.inc({ ...labels, outcome });
    if (s >= 500) throw new TransientError('http_5xx', `HTTP ${s}`, res);
    return res;
  }

  /** Counts the refusal and says when the breaker will let a probe through. */
  private circuitOpen(spec: CallSpec): PlatformError {
    this.metrics.requests.inc({ platform: this.platform, endpoint: spec.endpoint, outcome: 'circuit_open' });
    return new PlatformError(
      'server_error',
      `${spec.endpoint}: circuit open`,
      this.deps.clock.now() + this.settings.breaker.resetTimeoutMs,
    );
  }

  /**
   * Sends the call, returning the platform's answer (2xx or a definite 4xx/429 the caller
   * classifies). Throws PlatformError when the limiter refuses (nothing sent), when the breaker is
   * open, or when transient failures outlast the retries.
   */
  async call(spec: CallSpec): Promise<RawResponse> {
    const breaker = this.breaker(spec.endpoint);
    for (let attempt = 0; ; attempt++) {
      if (breaker.opened) throw this.circuitOpen(spec);
      const decision = await this.deps.limiter.acquire(spec.buckets, spec.cost ?? 1);
      if (!decision.ok) {
        this.metrics.refusedByLimiter.inc({
          platform: this.platform,
          bucket: decision.key.split(':')[0] ?? '',
        });
        throw new PlatformError('rate_limited', `limiter: ${decision.key} exhausted`, decision.retryAt, {
          message: 'refused locally, not sent',
        });
      }
      try {
        const res = await breaker.fire(spec);
        await spec.observe?.(res);
        return res;
      } catch (e) {
        if (e instanceof TransientError) {
          if (e.response) await spec.observe?.(e.response);
          if (attempt < this.settings.retries && !breaker.opened) {
            await this.sleep(this.backoff(attempt));
            continue;
          }
          throw new PlatformError('server_error', `${spec.endpoint}: ${e.message}`, null);
        }
        if (breaker.opened || (e instanceof Error && (e as { code?: string }).code === 'EOPENBREAKER')) {
          throw this.circuitOpen(spec);
        }
        throw e;
      }
    }
  }

  /** Full jitter: uniform in [0, min(max, base · 2^attempt)]. */
  private backoff(attempt: number): number {
    const cap = Math.min(this.settings.backoffMaxMs, this.settings.backoffBaseMs * 2 ** attempt);
    return Math.floor(Math.random() * cap);
  }

  shutdown(): void {
    for (const b of this.breakers.values()) b.shutdown();
  }
}
