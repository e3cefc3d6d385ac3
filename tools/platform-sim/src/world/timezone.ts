// Local weekday/hour of publication drive the planted signal, so they must be DST-correct:
// Intl knows the tz database; we memoise offsets per UTC day (per hour on transition days) because
// offsets only change on whole UTC hours for the zones we use, and formatToParts is too slow to call 100k times.

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, Map<number, number>>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function computeOffsetMs(timeZone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const local = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
  );
  return local - Math.floor(instant / 60_000) * 60_000;
}

function offsetMs(timeZone: string, instant: number): number {
  let cache = offsets.get(timeZone);
  if (!cache) {
    cache = new Map();
    offsets.set(timeZone, cache);
  }
  // Most days have one offset: check both ends of the UTC day and only fall back to per-hour
  // entries on transition days. Keys: day index (>= 0) or -(hour index + 1).
  const day = Math.floor(instant / 86_400_000);
  let off = cache.get(day);
  if (off === undefined) {
    const start = computeOffsetMs(timeZone, day * 86_400_000);
    const end = computeOffsetMs(timeZone, day * 86_400_000 + 23 * 3_600_000);
    off = start === end ? start : Number.NaN;
    cache.set(day, off);
  }
  if (!Number.isNaN(off)) return off;
  const hourKey = -(Math.floor(instant / 3_600_000) + 1);
  let hourly = cache.get(hourKey);
  if (hourly === undefined) {
    hourly = computeOffsetMs(timeZone, Math.floor(instant / 3_600_000) * 3_600_000);
    cache.set(hourKey, hourly);
  }
  return hourly;
}

export interface LocalTime {
  /** 0 = Monday … 6 = Sunday */
  weekday: number;
  hour: number;
}

export function localTime(timeZone: string, instant: number): LocalTime {
  const local = new Date(instant + offsetMs(timeZone, instant));
  return { weekday: (local.getUTCDay() + 6) % 7, hour: local.getUTCHours() };
}
