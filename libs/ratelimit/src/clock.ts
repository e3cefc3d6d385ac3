/** Where time comes from. Services use the system clock; tests inject one they can move. */
export interface Clock {
  now(): number;
  /**
   * True for the wall clock: the limiter then reads time from Redis `TIME`, so replicas with skewed
   * clocks still agree on windows. An injected clock passes its own time instead.
   */
  readonly system: boolean;
}

export const systemClock: Clock = { now: () => Date.now(), system: true };

/** Wraps a test clock (the simulator's, for example) so every component reads the same time. */
export function manualClock(source: { now(): number }): Clock {
  return { now: () => source.now(), system: false };
}
