// What every platform module needs: the world, time, token and fault state, limiters and the
// violation log. One instance per simulator.
import type { MiddlewareHandler } from 'hono';
import type { TokenRegistry } from '../auth.js';
import type { ControllableClock } from '../clock.js';
import type { SimLimits } from '../config.js';
import type { Faults } from '../faults.js';
import type { Rng } from '../prng.js';
import type { LinkedInRateLimiter, MetaRateLimiter, XRateLimiter } from '../ratelimit.js';
import type { ApiName, ViolationLog } from '../violations.js';
import type { Account, Post } from '../world/model.js';
import type { World } from '../world/world.js';

export interface SimContext {
  world: World;
  clock: ControllableClock;
  tokens: TokenRegistry;
  faults: Faults;
  violations: ViolationLog;
  limits: SimLimits;
  x: XRateLimiter;
  linkedin: LinkedInRateLimiter;
  meta: MetaRateLimiter;
  /** Sequential draws for per-request faults: same seed and request order → same faults. */
  faultRng: Rng;
  /** Draws for ids that mean nothing but must look real (Meta fbtrace_id). */
  traceRng: Rng;
  sleep: (ms: number) => Promise<void>;
  /** Resolvers of hanging requests, released when the simulator closes. */
  hangs: Set<() => void>;
  requests: Record<ApiName, number>;
}

export type ServerErrorBody = (status: 500 | 503, sim: SimContext) => unknown;

/**
 * Hangs, added latency and 5xx answers, in that order. A hang ends only when the client aborts
 * (or the simulator closes), like a dead upstream behind a load balancer that never times out.
 */
export function faultMiddleware(
  sim: SimContext,
  api: ApiName,
  errorBody: ServerErrorBody,
): MiddlewareHandler {
  return async (c, next) => {
    sim.requests[api]++;
    const f = sim.faults.current;
    const hang = f.hang_rate[api];
    if (hang > 0 && sim.faultRng.next() < hang) {
      await new Promise<void>((resolve) => {
        const done = () => {
          sim.hangs.delete(done);
          resolve();
        };
        sim.hangs.add(done);
        const signal = c.req.raw.signal;
        if (signal.aborted) done();
        else signal.addEventListener('abort', done, { once: true });
      });
      return c.body(null, 504);
    }
    const latency = f.latency_ms[api];
    if (latency > 0) await sim.sleep(latency);
    const rate = f.error_rate[api];
    if (rate > 0 && sim.faultRng.next() < rate) {
      const status = sim.faultRng.next() < 0.7 ? 503 : 500;
      return c.json(errorBody(status, sim), status);
    }
    await next();
  };
}

export function splitCsv(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Published, not deleted posts of an account at `now`, newest first. */
export function visiblePosts(sim: SimContext, account: Account, now: number): ReadonlyArray<Post> {
  const published = sim.world.publishedPosts(account, now);
  return sim.faults.hasDeletions() ? published.filter((p) => !sim.faults.isDeleted(p.id)) : published;
}
