/**
 * Doubled average ranks (2r = position of the first tied value + position of the last, 1-based), so ties
 * share the mean of their positions and every later sum is an exact integer.
 */
function doubledRanks(values: Float64Array): Float64Array {
  // A native sort of the values, then each value's rank from a table keyed by its bits: sorting indices
  // with a comparator cost ten times more, a Map (which boxes every double) twice as much.
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  const table = new RankTable(n);
  for (let start = 0; start < n; ) {
    const v = sorted[start] as number;
    let end = start + 1;
    while (end < n && sorted[end] === v) end++;
    table.set(v, start + 1 + end);
    start = end;
  }
  const doubled = new Float64Array(n);
  for (let i = 0; i < n; i++) doubled[i] = table.get(values[i] as number);
  return doubled;
}

/** Doubled ranks by value: open addressing over a power-of-two table at most half full. */
class RankTable {
  private readonly keys: Float64Array;
  /** 0 marks an empty slot: doubled ranks are at least 2. */
  private readonly ranks: Float64Array;
  private readonly mask: number;
  private readonly scratch = new Float64Array(1);
  private readonly bits = new Uint32Array(this.scratch.buffer);

  constructor(entries: number) {
    let size = 16;
    while (size < entries * 2) size *= 2;
    this.keys = new Float64Array(size);
    this.ranks = new Float64Array(size);
    this.mask = size - 1;
  }

  private slot(v: number): number {
    // −0 and 0 are one value (as the sort and === have them) with two bit patterns.
    this.scratch[0] = v === 0 ? 0 : v;
    const mixed = Math.imul(
      (this.bits[0] as number) ^ Math.imul(this.bits[1] as number, 0x9e3779b1),
      0x85ebca6b,
    );
    let i = (mixed >>> 0) & this.mask;
    while (this.ranks[i] !== 0 && this.keys[i] !== v) i = (i + 1) & this.mask;
    return i;
  }

  set(v: number, rank: number): void {
    const i = this.slot(v);
    this.keys[i] = v;
    this.ranks[i] = rank;
  }

  get(v: number): number {
    return this.ranks[this.slot(v)] as number;
  }
}

/**
 * `doubledRanks` of non-negative integers (text lengths, at most 100,000 by the event contract), by
 * counting how many values lie below each: no sort, a third of the time.
 */
function countedDoubledRanks(values: Int32Array): Float64Array {
  const n = values.length;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (v < 0) throw new Error('countedDoubledRanks: negative value');
    if (v > max) max = v;
  }
  const counts = new Int32Array(max + 1);
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    counts[v] = (counts[v] as number) + 1;
  }
  const below = new Int32Array(max + 1);
  for (let v = 0, acc = 0; v <= max; v++) {
    below[v] = acc;
    acc += counts[v] as number;
  }
  // First position below + 1, last below + count. (Indexed loops: a typed array's iterator and
  // `from` with a mapping function cost several times more.)
  const doubled = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    doubled[i] = 2 * (below[v] as number) + (counts[v] as number) + 1;
  }
  return doubled;
}

const ranksOf = (values: Int32Array | Float64Array) =>
  values instanceof Int32Array ? countedDoubledRanks(values) : doubledRanks(values);

/**
 * Spearman's rank correlation of the pairs (xs[i], ys[i]): Pearson's correlation of average ranks. `rho`
 * is null with fewer than three pairs or when x or y is constant; no value may be NaN. Non-negative
 * integers may come as an Int32Array, ranked by counting. Computed here rather than in Postgres, where the
 * window over every post's rate cost ≈ 5 ms of a content request (ranking 7,000 pairs here costs ≈ 1 ms).
 * Doubled ranks average n + 1 and their sums are exact integers, so a constant variable has exactly zero
 * variance, not rounding noise.
 */
export function spearman(
  xs: Int32Array | Float64Array,
  ys: Int32Array | Float64Array,
): { n: number; rho: number | null } {
  const n = xs.length;
  if (n !== ys.length) throw new Error('spearman: xs and ys differ in length');
  const rx = ranksOf(xs);
  const ry = ranksOf(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const x = rx[i] as number;
    const y = ry[i] as number;
    sxy += x * y;
    sxx += x * x;
    syy += y * y;
  }
  // n·mean²: what is subtracted from each sum of products to centre it.
  const c = n * (n + 1) * (n + 1);
  const rho = n >= 3 && sxx > c && syy > c ? (sxy - c) / Math.sqrt((sxx - c) * (syy - c)) : null;
  return { n, rho };
}
