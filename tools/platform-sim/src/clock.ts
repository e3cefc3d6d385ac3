// Metric growth and rate-limit windows read time from here, so tests move time instead of sleeping.

export interface Clock {
  now(): number;
}

export interface ControllableClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

/** Frozen until moved: what tests want. */
export class SimClock implements ControllableClock {
  private current: number;

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  set(ms: number): void {
    if (!Number.isFinite(ms)) throw new Error('clock time must be finite');
    this.current = ms;
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }
}

/** A clock that follows wall time from a chosen start, but can still be moved by the admin API. */
export class DriftingClock implements ControllableClock {
  private offset: number;

  constructor(start: number = Date.now()) {
    this.offset = start - Date.now();
  }

  now(): number {
    return Date.now() + this.offset;
  }

  set(ms: number): void {
    if (!Number.isFinite(ms)) throw new Error('clock time must be finite');
    this.offset = ms - Date.now();
  }

  advance(ms: number): void {
    this.offset += ms;
  }
}
