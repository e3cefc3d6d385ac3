/** One string per post or account, for grouping a batch in memory (NUL cannot occur in the ids). */
export const subjectKey = (tenantId: string, platform: string, subjectId: string): string =>
  `${tenantId}\u0000${platform}\u0000${subjectId}`;

/** Keeps, per key, the item `better` prefers; the result is sorted by key so writers lock rows in one order. */
export function pickPerKey<T>(
  items: readonly T[],
  key: (item: T) => string,
  better: (a: T, b: T) => boolean,
): T[] {
  const chosen = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    const current = chosen.get(k);
    if (current === undefined || better(item, current)) chosen.set(k, item);
  }
  return [...chosen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

const parsed = new WeakMap<object, number>();

/** observed_at in epoch ms, parsed once per event: sorting and grouping a batch ask for it many times. */
export function observedMs(event: { observed_at: string }): number {
  let ms = parsed.get(event);
  if (ms === undefined) {
    ms = Date.parse(event.observed_at);
    parsed.set(event, ms);
  }
  return ms;
}
