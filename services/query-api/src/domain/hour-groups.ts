import { type DayHoursColumn, dayHoursColumns, HOURS_PER_DAY } from '@postpulse/db';
import { type AggregateField, type AggregateRow, aggregateSources, emptyAggregate } from './post-set.js';
import { HOUR_MS, type OffsetSegments } from './time.js';

const HOURS_PER_WEEK = 168;

/**
 * The day-hours columns `fields` are summed from (`aggregateSources`), each once, `posts` first (a group
 * counts only with posts); undefined when a field needs a column that day-hours rows do not keep.
 */
export function hourColumns(fields: readonly AggregateField[]): DayHoursColumn[] | undefined {
  const columns = new Set<string>(['posts']);
  for (const f of fields) {
    const { column, reported } = aggregateSources[f];
    columns.add(column);
    if (reported) columns.add(reported);
  }
  const kept = dayHoursColumns.filter((c) => columns.has(c));
  return kept.length === columns.size ? [...columns].map((c) => c as DayHoursColumn) : undefined;
}

/** Where `t` lies among ascending `starts`: the last index whose start is ≤ t (0 before the first). */
function segmentOf(starts: readonly number[], t: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Sums the hours of day-hours rows (each of `columns` as a UTC day's 24 float8, as `post_rollup_day_hours`
 * holds them) that lie in [from, to) into periods (`bounds`: where each starts, then `to`) and local weekday
 * × hour cells (each hour's instant plus the zone's offset then, `OffsetSegments`). Rows may come in any
 * order. A group counts only when its posts sum to more than zero, as where Postgres groups
 * (`HAVING sum(posts) > 0`).
 */
export class HourGroups {
  private readonly periodSums: Float64Array;
  private readonly cellSums: Float64Array;
  private readonly segmentStarts: number[];
  private readonly width: number;

  constructor(
    private readonly columns: readonly DayHoursColumn[],
    private readonly from: number,
    private readonly to: number,
    private readonly bounds: readonly number[] | undefined,
    private readonly segments: OffsetSegments | undefined,
  ) {
    this.width = columns.length;
    this.periodSums = new Float64Array(Math.max(0, (bounds?.length ?? 1) - 1) * this.width);
    this.cellSums = new Float64Array(segments ? HOURS_PER_WEEK * this.width : 0);
    this.segmentStarts = segments?.starts.map((d) => d.getTime()) ?? [];
  }

  /** Values of one row after its day: its columns, 24 hours each. */
  get rowValues(): number {
    return this.width * HOURS_PER_DAY;
  }

  /** Adds the hours of the UTC day starting at `dayMs`, whose columns start at `offset` of `values`. */
  addDay(dayMs: number, values: Float64Array, offset: number): void {
    const first = Math.max(0, Math.ceil((this.from - dayMs) / HOUR_MS));
    const end = Math.min(HOURS_PER_DAY, Math.ceil((this.to - dayMs) / HOUR_MS));
    if (first >= end) return;
    const { bounds, segments, width, periodSums, cellSums, segmentStarts } = this;
    let period = bounds ? segmentOf(bounds, dayMs + first * HOUR_MS) : -1;
    let segment = segments ? segmentOf(segmentStarts, dayMs + first * HOUR_MS) : -1;
    for (let h = first; h < end; h++) {
      const t = dayMs + h * HOUR_MS;
      let periodBase = -1;
      let cellBase = -1;
      if (bounds) {
        while (period + 1 < bounds.length - 1 && (bounds[period + 1] ?? Infinity) <= t) period++;
        periodBase = period * width;
      }
      if (segments) {
        while (segment + 1 < segmentStarts.length && (segmentStarts[segment + 1] ?? Infinity) <= t) segment++;
        const local = Math.floor((t / 1000 + (segments.offsets[segment] ?? 0)) / 3600);
        cellBase = (((local % HOURS_PER_WEEK) + HOURS_PER_WEEK) % HOURS_PER_WEEK) * width;
      }
      for (let c = 0; c < width; c++) {
        const v = values[offset + c * HOURS_PER_DAY + h] ?? 0;
        if (periodBase >= 0) periodSums[periodBase + c] = (periodSums[periodBase + c] ?? 0) + v;
        if (cellBase >= 0) cellSums[cellBase + c] = (cellSums[cellBase + c] ?? 0) + v;
      }
    }
  }

  /** Each period's sums of `fields` by its index (0-based), for periods with posts. */
  periods(fields: readonly AggregateField[]): Map<number, AggregateRow> {
    return this.groupsOf(this.periodSums, fields);
  }

  /** Each cell's sums of `fields` by its local hour of the week (0 = the epoch's weekday, a Thursday, 0:00). */
  cells(fields: readonly AggregateField[]): Map<number, AggregateRow> {
    return this.groupsOf(this.cellSums, fields);
  }

  private groupsOf(sums: Float64Array, fields: readonly AggregateField[]): Map<number, AggregateRow> {
    const at = (c: string) => (this.columns as readonly string[]).indexOf(c);
    const posts = at('posts');
    const reads = fields.map((f) => {
      const { column, reported } = aggregateSources[f];
      return { field: f, column: at(column), reported: reported ? at(reported) : -1 };
    });
    const out = new Map<number, AggregateRow>();
    for (let g = 0; g * this.width < sums.length; g++) {
      const base = g * this.width;
      if (!((sums[base + posts] ?? 0) > 0)) continue;
      const row = { ...emptyAggregate } as unknown as Record<AggregateField, number | null>;
      for (const r of reads) {
        const reportedBy = r.reported < 0 ? 1 : (sums[base + r.reported] ?? 0);
        row[r.field] = reportedBy > 0 ? (sums[base + r.column] ?? 0) : null;
      }
      out.set(g, row as unknown as AggregateRow);
    }
    return out;
  }
}
