// Each platform throttles differently; these classes keep the state and decide, the platform
// modules turn decisions into the platform's headers and bodies.
import type { LinkedInLimits, MetaLimits, XEndpoint, XLimits } from './config.js';
import { DAY_MS } from './formats.js';

// ---------- X: fixed 15-minute windows per user and per app, plus a monthly post cap ----------

interface Window {
  count: number;
  resetAt: number;
}

export type XDecision =
  | { kind: 'ok'; limit: number; remaining: number; resetAt: number }
  | { kind: 'limited'; limit: number; resetAt: number; scope: 'user' | 'app'; violation: boolean }
  | { kind: 'capped'; violation: boolean; limit: number; remaining: number; resetAt: number };

export class XRateLimiter {
  private readonly windows = new Map<string, Window>();
  private capMonth = -1;
  private capUsed = 0;
  private capNotified = false;

  constructor(private readonly limits: XLimits) {}

  private window(key: string, now: number): Window {
    let w = this.windows.get(key);
    // X starts a window at the first request after the previous one ended.
    if (!w || now >= w.resetAt) {
      w = { count: 0, resetAt: now + this.limits.windowMs };
      this.windows.set(key, w);
    }
    return w;
  }

  private rollMonth(now: number): void {
    const d = new Date(now);
    const month = d.getUTCFullYear() * 12 + d.getUTCMonth();
    if (month !== this.capMonth) {
      this.capMonth = month;
      this.capUsed = 0;
      this.capNotified = false;
    }
  }

  check(endpoint: XEndpoint, user: string, now: number): XDecision {
    const { perUser, perApp } = this.limits.endpoints[endpoint];
    const u = this.window(`${endpoint}|user|${user}`, now);
    const a = this.window(`${endpoint}|app`, now);
    this.rollMonth(now);
    const cap = this.limits.monthlyPostCap;
    if (cap !== null && this.capUsed >= cap) {
      // Nothing announces the cap in advance, so only the calls after the first refusal count.
      const violation = this.capNotified;
      this.capNotified = true;
      return {
        kind: 'capped',
        violation,
        limit: perUser,
        remaining: Math.max(0, perUser - u.count),
        resetAt: u.resetAt,
      };
    }
    if (u.count >= perUser)
      return { kind: 'limited', limit: perUser, resetAt: u.resetAt, scope: 'user', violation: true };
    if (a.count >= perApp)
      return { kind: 'limited', limit: perApp, resetAt: a.resetAt, scope: 'app', violation: true };
    u.count++;
    a.count++;
    // Report whichever window runs out first, so a client that obeys headers never hits a 429.
    const userLeft = perUser - u.count;
    const appLeft = perApp - a.count;
    return appLeft < userLeft
      ? { kind: 'ok', limit: perApp, remaining: appLeft, resetAt: a.resetAt }
      : { kind: 'ok', limit: perUser, remaining: userLeft, resetAt: u.resetAt };
  }

  consumePosts(n: number, now: number): void {
    this.rollMonth(now);
    this.capUsed += n;
  }
}

// ---------- LinkedIn: daily quotas per resource, per app and per member, reset 00:00 UTC ----------

export type LinkedInDecision =
  | { kind: 'ok' }
  | { kind: 'limited'; scope: 'APPLICATION' | 'MEMBER'; violation: boolean };

interface DayQuota {
  day: number;
  count: number;
  refused: boolean;
}

export class LinkedInRateLimiter {
  private readonly quotas = new Map<string, DayQuota>();

  constructor(private readonly limits: LinkedInLimits) {}

  private quota(key: string, day: number): DayQuota {
    let q = this.quotas.get(key);
    if (!q || q.day !== day) {
      q = { day, count: 0, refused: false };
      this.quotas.set(key, q);
    }
    return q;
  }

  check(resource: string, member: string, now: number): LinkedInDecision {
    const day = Math.floor(now / DAY_MS);
    const app = this.quota(`${resource}|app`, day);
    const mem = this.quota(`${resource}|member|${member}`, day);
    // LinkedIn sends no headers, so the first 429 of a day is how a client learns; later ones are violations.
    if (app.count >= this.limits.appDaily) {
      const violation = mem.refused || app.refused;
      app.refused = true;
      mem.refused = true;
      return { kind: 'limited', scope: 'APPLICATION', violation };
    }
    if (mem.count >= this.limits.memberDaily) {
      const violation = mem.refused;
      mem.refused = true;
      return { kind: 'limited', scope: 'MEMBER', violation };
    }
    app.count++;
    mem.count++;
    return { kind: 'ok' };
  }
}

// ---------- Meta: rolling-window usage percentages with blocks that grow while called ----------

const BUCKETS = 60;

/** Calls in a rolling window, kept in coarse buckets so counting stays O(buckets). */
class RollingCounter {
  private readonly starts: number[] = [];
  private readonly counts: number[] = [];
  private readonly bucketMs: number;

  constructor(private readonly windowMs: number) {
    this.bucketMs = Math.max(1, Math.floor(windowMs / BUCKETS));
  }

  private prune(now: number): void {
    while (this.starts.length > 0 && (this.starts[0] ?? 0) + this.bucketMs + this.windowMs <= now) {
      this.starts.shift();
      this.counts.shift();
    }
  }

  add(now: number, n: number): void {
    this.prune(now);
    const start = Math.floor(now / this.bucketMs) * this.bucketMs;
    const last = this.starts.length - 1;
    if (last >= 0 && this.starts[last] === start) this.counts[last] = (this.counts[last] ?? 0) + n;
    else {
      this.starts.push(start);
      this.counts.push(n);
    }
  }

  count(now: number): number {
    this.prune(now);
    let n = 0;
    for (const c of this.counts) n += c;
    return n;
  }

  /** Time until fewer than `limit` calls remain in the window. */
  msUntilBelow(limit: number, now: number): number {
    let n = this.count(now);
    for (let i = 0; i < this.starts.length && n >= limit; i++) {
      n -= this.counts[i] ?? 0;
      if (n < limit) return (this.starts[i] ?? now) + this.bucketMs + this.windowMs - now;
    }
    return 0;
  }
}

interface MetaScope {
  counter: RollingCounter;
  penaltyUntil: number;
}

export interface MetaUsage {
  /** Percent of the limit used, capped at 100. */
  percent: number;
  regainMinutes: number;
}

export type MetaScopeKind = 'app' | 'page' | 'instagram';

export type MetaDecision =
  | { kind: 'ok'; app: MetaUsage; business: MetaUsage }
  | { kind: 'blocked'; by: MetaScopeKind; violation: true; app: MetaUsage; business: MetaUsage };

export class MetaRateLimiter {
  private readonly scopes = new Map<string, MetaScope>();

  constructor(private readonly limits: MetaLimits) {}

  private scope(key: string, windowMs: number): MetaScope {
    let s = this.scopes.get(key);
    if (!s) {
      s = { counter: new RollingCounter(windowMs), penaltyUntil: 0 };
      this.scopes.set(key, s);
    }
    return s;
  }

  private blockedFor(s: MetaScope, limit: number, now: number): number {
    return Math.max(s.counter.msUntilBelow(limit, now), s.penaltyUntil - now, 0);
  }

  private usage(s: MetaScope, limit: number, now: number): MetaUsage {
    const percent = Math.min(100, Math.floor((s.counter.count(now) * 100) / limit));
    const blocked = this.blockedFor(s, limit, now);
    return { percent: blocked > 0 ? 100 : percent, regainMinutes: Math.ceil(blocked / 60_000) };
  }

  /** `cost` is how many objects the call touches (ids=a,b,c costs 3). */
  check(kind: 'page' | 'instagram', businessId: string, cost: number, now: number): MetaDecision {
    const app = this.scope('app', 3_600_000);
    const appLimit = this.limits.appPerHour;
    const biz = this.scope(`${kind}|${businessId}`, DAY_MS);
    const bizLimit = kind === 'page' ? this.limits.pagePerDay : this.limits.instagramPerDay;
    const appBlocked = this.blockedFor(app, appLimit, now) > 0;
    const bizBlocked = this.blockedFor(biz, bizLimit, now) > 0;
    if (appBlocked || bizBlocked) {
      // Calling while blocked lengthens the block: Meta asks clients to stop until usage drops.
      for (const [blocked, s, limit] of [
        [appBlocked, app, appLimit],
        [bizBlocked, biz, bizLimit],
      ] as const) {
        if (blocked) s.penaltyUntil = now + this.blockedFor(s, limit, now) + this.limits.penaltyMs;
      }
      return {
        kind: 'blocked',
        by: appBlocked ? 'app' : kind,
        violation: true,
        app: this.usage(app, appLimit, now),
        business: this.usage(biz, bizLimit, now),
      };
    }
    app.counter.add(now, cost);
    biz.counter.add(now, cost);
    return { kind: 'ok', app: this.usage(app, appLimit, now), business: this.usage(biz, bizLimit, now) };
  }
}
