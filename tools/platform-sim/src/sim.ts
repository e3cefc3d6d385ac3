// Wiring: one Hono app serving the three platform APIs and the admin API under separate bases.
import { Hono } from 'hono';
import { createAdminApp } from './admin.js';
import { TokenRegistry } from './auth.js';
import { type ControllableClock, DriftingClock, SimClock } from './clock.js';
import { DEFAULT_LIMITS, DEFAULTS, mergeDeep, type SimLimits, type SimOptions, toEpochMs } from './config.js';
import { Faults } from './faults.js';
import { HOUR_MS } from './formats.js';
import type { SimContext } from './platforms/context.js';
import { createLinkedInApp } from './platforms/linkedin.js';
import { createMetaApp } from './platforms/meta.js';
import { createXApp } from './platforms/x.js';
import { Rng } from './prng.js';
import { LinkedInRateLimiter, MetaRateLimiter, XRateLimiter } from './ratelimit.js';
import { buildTruth, type Truth, type TruthMetrics, truthMetrics } from './truth.js';
import { ViolationLog } from './violations.js';
import type { Platform } from './world/model.js';
import { World } from './world/world.js';

export interface SimApp {
  app: Hono;
  world: World;
  clock: ControllableClock;
  faults: Faults;
  violations: ViolationLog;
  tokens: TokenRegistry;
  limits: SimLimits;
  /** The planted truth; `posts: false` leaves the (large) post lists out. */
  truth(opts?: { posts?: boolean }): Truth;
  /** Exact metrics of a post at a time (default: the clock's now); undefined for an unknown id. */
  metricsAt(platform: Platform, postId: string, at?: number): TruthMetrics | undefined;
  /** Releases hanging requests (for shutdown). */
  releaseHangs(): void;
}

export function createSimApp(options: SimOptions = {}): SimApp {
  const clock: ControllableClock =
    options.clock ??
    (options.now !== undefined ? new SimClock(toEpochMs(options.now, 'now')) : new DriftingClock());
  const seed = options.seed ?? DEFAULTS.seed;
  const anchor =
    options.anchor !== undefined
      ? toEpochMs(options.anchor, 'anchor')
      : Math.floor(clock.now() / HOUR_MS) * HOUR_MS;
  const world = new World({
    seed,
    tenants: options.tenants ?? DEFAULTS.tenants,
    accountsPerPlatform: options.accountsPerPlatform ?? DEFAULTS.accountsPerPlatform,
    postsPerAccount: options.postsPerAccount ?? DEFAULTS.postsPerAccount,
    days: options.days ?? DEFAULTS.days,
    anchor,
    futureDays: options.futureDays ?? DEFAULTS.futureDays,
  });
  const limits = mergeDeep(DEFAULT_LIMITS, options.limits);
  const sim: SimContext = {
    world,
    clock,
    tokens: new TokenRegistry(world),
    faults: new Faults(options.faults),
    violations: new ViolationLog(),
    limits,
    x: new XRateLimiter(limits.x),
    linkedin: new LinkedInRateLimiter(limits.linkedin),
    meta: new MetaRateLimiter(limits.meta),
    faultRng: Rng.fromKey(seed, 'faults'),
    traceRng: Rng.fromKey(seed, 'trace'),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    hangs: new Set(),
    requests: { x: 0, linkedin: 0, meta: 0 },
  };

  const app = new Hono();
  app.route('/x', createXApp(sim));
  app.route('/linkedin', createLinkedInApp(sim));
  app.route('/meta', createMetaApp(sim));
  app.route('/admin', createAdminApp(sim));
  app.notFound((c) =>
    c.json({ error: { code: 'not_found', message: 'APIs live under /x, /linkedin, /meta and /admin' } }, 404),
  );

  return {
    app,
    world,
    clock,
    faults: sim.faults,
    violations: sim.violations,
    tokens: sim.tokens,
    limits,
    truth: (opts) => buildTruth(world, { posts: opts?.posts ?? true }),
    metricsAt: (platform, postId, at) => {
      const post = world.post(platform, postId);
      return post ? truthMetrics(world, post, at ?? clock.now()) : undefined;
    },
    releaseHangs: () => {
      for (const release of [...sim.hangs]) release();
    },
  };
}
