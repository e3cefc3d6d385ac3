import { InvalidParameterError } from '../errors.js';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** The start of the UTC hour an instant falls in. */
export const floorUtcHour = (t: Date) => new Date(Math.floor(t.getTime() / HOUR_MS) * HOUR_MS);
/** The first start of a UTC hour at or after an instant. */
export const ceilUtcHour = (t: Date) => new Date(Math.ceil(t.getTime() / HOUR_MS) * HOUR_MS);

/** The UTC midnight at or before an instant. */
export const floorUtcDay = (t: Date) => new Date(Math.floor(t.getTime() / DAY_MS) * DAY_MS);
/** The UTC midnight at or after an instant. */
export const ceilUtcDay = (t: Date) => new Date(Math.ceil(t.getTime() / DAY_MS) * DAY_MS);
/** The first instant of the UTC month an instant falls in. */
export const floorUtcMonth = (t: Date) => new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1));
/** The first instant of a UTC month at or after an instant. */
export const ceilUtcMonth = (t: Date) => {
  const floor = floorUtcMonth(t);
  return floor.getTime() === t.getTime()
    ? floor
    : new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1));
};

const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(tz, f);
  }
  return f;
}

function wallClock(instant: Date, tz: string) {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Offset of the zone from UTC at that instant, in ms (Berlin in summer: +7_200_000). */
function offsetMs(instantMs: number, tz: string): number {
  const w = wallClock(new Date(instantMs), tz);
  return (
    Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(instantMs / 1000) * 1000
  );
}

const wholeHourZones = new Map<string, boolean>();

/**
 * Whether the zone's offset from UTC has been a whole number of hours since 2000 and stays so to 2040
 * (checked monthly, once per zone; no social network has posts from before): then every UTC hour is one local hour, and hourly rollups cut local
 * days and weekday × hour cells exactly. Not so for e.g. Asia/Kolkata (+5:30) or Australia/Adelaide.
 */
export function hourlyRollupFits(tz: string): boolean {
  let fits = wholeHourZones.get(tz);
  if (fits === undefined) {
    fits = true;
    for (let month = 0; month < 40 * 12 && fits; month++) {
      fits = offsetMs(Date.UTC(2000, month, 15), tz) % 3_600_000 === 0;
    }
    wholeHourZones.set(tz, fits);
  }
  return fits;
}

const lastMinutes = new Map<string, { date: string; minute: number }>();

/**
 * `YYYY-MM-DD` of the instant in the zone. Zones change offset only at whole minutes, so the date of the
 * minute asked for last is remembered per zone: every request asks for today's.
 */
export function localDate(instant: Date, tz: string): string {
  const minute = Math.floor(instant.getTime() / 60_000);
  const known = lastMinutes.get(tz);
  if (known?.minute === minute) return known.date;
  const w = wallClock(instant, tz);
  const date = `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
  lastMinutes.set(tz, { date, minute });
  return date;
}

const rememberedDayStarts = remembered<Date>();

/** The instant a local calendar day starts in the zone (DST-correct; a skipped midnight maps forward). */
export function startOfLocalDay(date: string, tz: string): Date {
  return rememberedDayStarts(`${tz} ${date}`, () => {
    const [y, m, d] = date.split('-').map(Number);
    const wall = Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1);
    let guess = wall - offsetMs(wall, tz);
    guess = wall - offsetMs(guess, tz);
    return new Date(guess);
  });
}

/** Adds days to a `YYYY-MM-DD` calendar date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, (d ?? 1) + days)).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export interface DateRange {
  /** First local day, inclusive. */
  start_date: string;
  /** Last local day, inclusive. */
  end_date: string;
  timezone: string;
  days: number;
  /** [from, to) as instants. */
  from: Date;
  to: Date;
}

export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 30;

/**
 * Reads `start_date`/`end_date` (inclusive local days) in the zone. Defaults: the last 30 days ending
 * today. A range may not end before it starts or cover more than 366 days.
 */
export function resolveRange(
  input: { start_date?: string | undefined; end_date?: string | undefined },
  tz: string,
  now: Date,
  defaultDays = DEFAULT_RANGE_DAYS,
): DateRange {
  const today = localDate(now, tz);
  let end = input.end_date;
  let start = input.start_date;
  if (!end) end = start ? minDate(addDays(start, defaultDays - 1), today) : today;
  if (!start) start = addDays(end, -(defaultDays - 1));
  if (end < start) throw new InvalidParameterError('end_date', `must not be before start_date (${start})`);
  const days = daysBetween(start, end) + 1;
  if (days > MAX_RANGE_DAYS) {
    throw new InvalidParameterError(
      'end_date',
      `the range covers ${days} days; at most ${MAX_RANGE_DAYS} are allowed`,
    );
  }
  return {
    start_date: start,
    end_date: end,
    timezone: tz,
    days,
    from: startOfLocalDay(start, tz),
    to: startOfLocalDay(addDays(end, 1), tz),
  };
}

/** The range of equal length just before this one. */
export function previousRange(range: DateRange): DateRange {
  const end = addDays(range.start_date, -1);
  const start = addDays(range.start_date, -range.days);
  return {
    start_date: start,
    end_date: end,
    timezone: range.timezone,
    days: range.days,
    from: startOfLocalDay(start, range.timezone),
    to: range.from,
  };
}

function minDate(a: string, b: string): string {
  return a < b ? a : b;
}

export const trendPeriods = ['daily', 'weekly', 'monthly'] as const;
export type TrendPeriod = (typeof trendPeriods)[number];

/** The first day of the period containing a `YYYY-MM-DD` date: itself, its Monday, or the 1st. */
export function periodStart(date: string, period: TrendPeriod): string {
  if (period === 'daily') return date;
  if (period === 'monthly') return `${date.slice(0, 8)}01`;
  const dow = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday = 0
  return addDays(date, -dow);
}

export function periodStarts(range: DateRange, period: TrendPeriod): string[] {
  const out: string[] = [];
  let d = periodStart(range.start_date, period);
  while (d <= range.end_date) {
    out.push(d);
    d = period === 'daily' ? addDays(d, 1) : period === 'weekly' ? addDays(d, 7) : nextMonth(d);
  }
  return out;
}

function nextMonth(date: string): string {
  const [y, m] = date.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, m ?? 1, 1)).toISOString().slice(0, 10);
}

export interface PeriodBounds {
  readonly starts: readonly string[];
  /** Where each period begins, then the range's end, in ms since the epoch. */
  readonly instants: readonly number[];
  /**
   * The instants as a Postgres array literal (`{…}` of ISO instants) for a `timestamptz[]` parameter,
   * built once per range: the driver serialised each Date of the array on every request, ≈ 0.5 ms of the
   * API for a year of days.
   */
  readonly bounds: string;
}

/**
 * Values computed from a zone and dates, remembered per key for later requests: most ask for the same few
 * ranges (the default last 30 days), and the zone computations through Intl that day starts, bounds and
 * offsets need were, done per request, a fifth of an overview's Node CPU. At most 1,000 keys per function.
 */
function remembered<T>(): (key: string, make: () => T) => T {
  const known = new Map<string, T>();
  return (key, make) => {
    let value = known.get(key);
    if (value === undefined) {
      value = make();
      if (known.size >= 1000) known.clear();
      known.set(key, value);
    }
    return value;
  };
}

const rememberedBounds = remembered<PeriodBounds>();

/**
 * The periods of a range as instants: `bounds[i]` is where the period starting on `starts[i]` begins (the
 * range's start for the first, which the range may cut), and the range's end closes the last. A row finds
 * its period by binary search (`width_bucket(at, bounds)`, 1-based) instead of a zone conversion per row.
 */
export function periodBounds(range: DateRange, period: TrendPeriod): PeriodBounds {
  return rememberedBounds(`${range.timezone} ${range.start_date} ${range.end_date} ${period}`, () => {
    const starts = periodStarts(range, period);
    const bounds = [
      ...starts.map((d, i) => (i === 0 ? range.from : startOfLocalDay(d, range.timezone))),
      range.to,
    ];
    return {
      starts,
      instants: bounds.map((b) => b.getTime()),
      bounds: `{${bounds.map((b) => b.toISOString()).join(',')}}`,
    };
  });
}

export interface OffsetSegments {
  /** Where each segment starts: the first is the span's start. */
  readonly starts: readonly Date[];
  /** The zone's offset from UTC in each segment, in seconds. */
  readonly offsets: readonly number[];
}

const rememberedSegments = remembered<OffsetSegments>();
const QUARTER_HOUR_MS = 900_000;

/**
 * The zone's offsets over [from, to), as segments of one offset each (a DST change starts a new one), so a
 * row's local wall-clock time is its instant plus its segment's offset: found by binary search
 * (`width_bucket`) instead of a zone conversion per row. The offset is sampled daily and each change is
 * placed to the quarter hour (no zone changes twice a day, or off the quarter hour). Remembered per span.
 */
export function offsetSegments(from: Date, to: Date, tz: string): OffsetSegments {
  return rememberedSegments(`${tz} ${from.getTime()} ${to.getTime()}`, () => {
    const starts = [from];
    const offsets = [offsetMs(from.getTime(), tz)];
    let at = from.getTime();
    while (at < to.getTime()) {
      const next = Math.min(at + DAY_MS, to.getTime());
      const current = offsets[offsets.length - 1] ?? 0;
      if (offsetMs(next, tz) !== current) {
        // The change lies in (at, next]: find the first quarter hour with the new offset.
        let lo = at;
        let hi = next;
        while (hi - lo > QUARTER_HOUR_MS) {
          const mid =
            lo + Math.max(QUARTER_HOUR_MS, Math.floor((hi - lo) / 2 / QUARTER_HOUR_MS) * QUARTER_HOUR_MS);
          if (offsetMs(mid, tz) === current) lo = mid;
          else hi = mid;
        }
        starts.push(new Date(hi));
        offsets.push(offsetMs(hi, tz));
      }
      at = next;
    }
    return { starts, offsets: offsets.map((o) => o / 1000) };
  });
}
