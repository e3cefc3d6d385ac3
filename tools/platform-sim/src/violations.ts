// A violation is a request that arrived after the platform had already told its caller to stop
// (X: remaining 0 in headers; LinkedIn: a 429 earlier the same UTC day; Meta: usage at 100 % or
// blocked). Well-behaved ingest keeps this at zero, so tests can assert it.
import type { Platform } from './world/model.js';

export type ApiName = 'x' | 'linkedin' | 'meta';

export interface ViolationEntry {
  api: ApiName;
  platform: Platform;
  /** Account id of the token's owner, or `app` for app-wide limits. */
  caller: string;
  scope: string;
  count: number;
  last_at: string;
}

export class ViolationLog {
  private readonly entries = new Map<string, ViolationEntry>();
  private throttled = 0;

  record(api: ApiName, platform: Platform, caller: string, scope: string, at: number): void {
    const key = `${api}|${caller}|${scope}`;
    const entry = this.entries.get(key);
    const lastAt = new Date(at).toISOString();
    if (entry) {
      entry.count++;
      entry.last_at = lastAt;
    } else {
      this.entries.set(key, { api, platform, caller, scope, count: 1, last_at: lastAt });
    }
  }

  /** Every throttled answer, violation or not: useful to see that limits were exercised at all. */
  noteThrottled(): void {
    this.throttled++;
  }

  total(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.count;
    return n;
  }

  report(): { total: number; throttled_responses: number; entries: ViolationEntry[] } {
    return { total: this.total(), throttled_responses: this.throttled, entries: [...this.entries.values()] };
  }

  reset(): void {
    this.entries.clear();
    this.throttled = 0;
  }
}
