import { platforms } from '@postpulse/contracts';
import { oncePerKey, precompiled } from '@postpulse/db';
import { type RawBuilder, sql } from 'kysely';
import type { DomainContext } from '../context.js';
import { HourGroups, hourColumns } from './hour-groups.js';
import {
  type AggregateField,
  type AggregateRow,
  aggregateFields,
  type Cte,
  emptyAggregate,
  float8Values,
  type Part,
  type PostFilter,
  packedAggregates,
  packedPart,
  queryParts,
  sumAggregates,
  unpackAggregate,
} from './post-set.js';
import { hourlyRollupFits, type OffsetSegments, type PeriodBounds } from './time.js';

/** Which groupings of the period's measures a response needs (see `groupsPart` for how they are read). */
export interface GroupSets {
  /** The whole period. */
  total?: boolean;
  /** Per platform. */
  platforms?: boolean;
  /** What to sum for the total and per platform; the other fields are null. Default: every field. */
  totalFields?: readonly AggregateField[] | undefined;
  /** Per local day, week (from Monday) or month of publication (`periodBounds`). */
  periods?: PeriodBounds | undefined;
  /** What to sum per period; the other fields of a period's row are null. Default: every field. */
  periodFields?: readonly AggregateField[] | undefined;
  /** Per local weekday × hour of publication, by the zone's offsets over the period (`offsetSegments`). */
  cells?: OffsetSegments | undefined;
}

/** What best times read of a weekday × hour cell: posts and the engagement rate with its interval. */
export interface CellRow {
  dow: number;
  hour: number;
  posts: number;
  k: number;
  er_num: number | null;
  er_den: number | null;
  e2: number | null;
  n2: number | null;
  en: number | null;
}

export interface Groups {
  total: AggregateRow;
  platforms: (AggregateRow & { platform: string })[];
  /** By the period's first local day (`YYYY-MM-DD`). */
  periods: Map<string, AggregateRow>;
  cells: CellRow[];
}

const cellFields: readonly AggregateField[] = ['posts', 'k', 'er_num', 'er_den', 'e2', 'n2', 'en'];

/** A row's local hour of the week, counted from the epoch's first hour (a Thursday). */
const hourOfWeek = ({ starts, offsets }: OffsetSegments) =>
  sql`(floor((date_part('epoch', s.at) + (${offsets}::int[])[width_bucket(s.at, ${starts}::timestamptz[])])
    / 3600)::bigint % 168)::int`;

/** The kinds of packed rows (`groupsPart`), in the first float8 of each. */
const kinds = { total: 0, platform: 1, period: 2, cell: 3, day: 4 } as const;
const kind = (k: keyof typeof kinds) => sql.raw(`${kinds[k]}::float8`);

/** The fields of the period and cell rows (both come from one grouping pass, so they carry the same). */
const setFields = (want: GroupSets): AggregateField[] => [
  ...new Set([
    ...(want.periods ? (want.periodFields ?? aggregateFields) : []),
    ...(want.cells ? cellFields : []),
  ]),
];

/** A day-hours row's columns (`dh.posts || dh.k || …`), each its 24 hours. */
const dayHoursOf = oncePerKey((columns) =>
  precompiled(
    sql.join(
      columns.split(' ').map((c) => sql.ref(`dh.${c}`)),
      sql` || `,
    ),
  ),
);

/**
 * The groupings a response needs, in one part: a SELECT per source, each row packed as float8 bytes
 * (`packedPart`): its kind, its key (the platform's place in `platforms`, the period's number, the local
 * hour of the week, or a day's instant) and its values. The total sums `t` (or `sp`, the previous period)
 * and the platforms `pl`, both whole UTC days where they can (`packedAggregates`). Periods and cells:
 * - over all platforms, where the zone fits hourly rollups and the day-hours rows keep the fields, the
 *   period's day-hours rows `dh` (a UTC day per row, each column as its 24 hours): Postgres only copies
 *   bytes and the API sums the hours (`HourGroups`). Grouping hourly rows in Postgres costs ≈ 1 µs per
 *   hour and grouping (a year: 11–25 ms).
 * - else the rows of `s` (hourly rollup rows, or one row per post), grouped here in one pass (GROUPING
 *   SETS: 1.8 ms for a month's hours, where two passes took 2.8): a row's period by bounds computed in
 *   the zone beforehand (`width_bucket`), its local hour of the week from its instant plus the zone's
 *   offset at that time (`offsetSegments`, found by binary search): no zone conversion per row.
 * Groups without posts (rollup rows whose posts moved away) are left out. With the platforms, the
 * period's total is their sum (`totalOfPlatforms`): `t` is not read.
 */
export function groupsPart(
  ctx: DomainContext,
  f: PostFilter,
  want: GroupSets,
  totalOf: 't' | 'sp' = 't',
): Part<Groups> {
  const selects: RawBuilder<unknown>[] = [];
  const reads: Cte[] = [];
  const all = packedAggregates(want.totalFields ?? aggregateFields);
  const summed = totalOfPlatforms(want, totalOf);
  if (want.total && !summed) {
    selects.push(
      sql`SELECT float8send(${kind('total')}) || float8send(0) || ${all} AS b FROM ${sql.table(totalOf)}`,
    );
    reads.push(totalOf);
  }
  if (want.platforms) {
    selects.push(sql`SELECT float8send(${kind('platform')})
        || float8send(array_position(${sql.raw(platformList)}, platform)) || ${all} AS b
      FROM pl GROUP BY platform HAVING sum(posts) > 0`);
    reads.push('pl');
  }
  const { periods, cells } = want;
  const hours =
    (periods || cells) && !f.platform && hourlyRollupFits(ctx.timezone)
      ? hourColumns(setFields(want))
      : undefined;
  if (hours) {
    selects.push(sql`SELECT float8send(${kind('day')}) || float8send(date_part('epoch', dh.day))
        || ${dayHoursOf(hours.join(' '))} AS b FROM dh`);
    reads.push('dh');
  } else if (periods || cells) {
    // Each grouping: the key computed per row, and its grouping set.
    const keys: RawBuilder<unknown>[] = [];
    const sets: RawBuilder<unknown>[] = [];
    if (periods) {
      keys.push(sql`width_bucket(s.at, ${periods.bounds}::timestamptz[]) AS i`);
      sets.push(sql`(i)`);
    }
    if (cells) {
      keys.push(sql`${hourOfWeek(cells)} AS how`);
      sets.push(sql`(how)`);
    }
    const [rowKind, key] = !periods
      ? [kind('cell'), sql`how`]
      : cells
        ? [
            sql`CASE WHEN grouping(i) = 0 THEN ${kind('period')} ELSE ${kind('cell')} END`,
            sql`CASE WHEN grouping(i) = 0 THEN i ELSE how END`,
          ]
        : [kind('period'), sql`i`];
    selects.push(sql`SELECT float8send(${rowKind}) || float8send(${key}) || ${packedAggregates(setFields(want))} AS b
      FROM (SELECT s.*, ${sql.join(keys)} FROM s) x
      GROUP BY GROUPING SETS (${sql.join(sets)})
      HAVING sum(posts) > 0`);
    reads.push('s');
  }
  return packedPart(reads, sql.join(selects, sql` UNION ALL `), (bytes) => {
    const groups = groupsFrom(
      bytes,
      want,
      hours && new HourGroups(hours, f.from.getTime(), f.to.getTime(), periods?.instants, cells),
    );
    if (summed) groups.total = sumAggregates(groups.platforms);
    return groups;
  });
}

/**
 * Whether the total is the sum of the platforms' rows, which are read anyway: the rollups' all-platforms
 * rows equal that sum (the aggregator's tests check it), and groups left out have no posts.
 */
const totalOfPlatforms = (want: GroupSets, totalOf: 't' | 'sp') =>
  want.total === true && want.platforms === true && totalOf === 't';

/** The platforms in the order of their number in packed rows. */
const platformList = `ARRAY[${platforms.map((p) => `'${p}'`).join(', ')}]::text[]`;

/** A weekday × hour cell from its local hour of the week (0 = the epoch's weekday, a Thursday, 0:00). */
const cellRow = (hourOfWeek: number, row: AggregateRow): CellRow => ({
  dow: ((Math.floor(hourOfWeek / 24) + 3) % 7) + 1,
  hour: hourOfWeek % 24,
  posts: row.posts,
  k: row.k,
  er_num: row.er_num,
  er_den: row.er_den,
  e2: row.e2,
  n2: row.n2,
  en: row.en,
});

/** Sorts the packed rows of `groupsPart` into their groups; day rows are summed by `hours`. */
function groupsFrom(bytes: Buffer | null, want: GroupSets, hours: HourGroups | undefined): Groups {
  const out: Groups = { total: emptyAggregate, platforms: [], periods: new Map(), cells: [] };
  const fields = setFields(want);
  const totalFields = want.totalFields ?? aggregateFields;
  const starts = want.periods?.starts ?? [];
  const values = float8Values(bytes);
  let at = 0;
  while (at < values.length) {
    const kind = values[at];
    const key = values[at + 1] ?? 0;
    if (kind === kinds.day) {
      hours?.addDay(key * 1000, values, at + 2);
      at += 2 + (hours?.rowValues ?? 0);
      continue;
    }
    const own = kind === kinds.total || kind === kinds.platform ? totalFields : fields;
    const row = unpackAggregate(values, at + 2, own);
    at += 2 + own.length;
    if (kind === kinds.total) out.total = row;
    else if (kind === kinds.platform) {
      const platform = platforms[key - 1];
      if (platform) out.platforms.push({ ...row, platform });
    } else if (kind === kinds.period) {
      const start = starts[key - 1];
      if (start !== undefined) out.periods.set(start, row);
    } else {
      out.cells.push(cellRow(key, row));
    }
  }
  if (hours) {
    if (want.periods) {
      for (const [i, row] of hours.periods(fields)) {
        const start = starts[i];
        if (start !== undefined) out.periods.set(start, row);
      }
    }
    if (want.cells) for (const [how, row] of hours.cells(fields)) out.cells.push(cellRow(how, row));
  }
  out.platforms.sort((x, y) => (x.platform < y.platform ? -1 : 1));
  return out;
}

/** The groupings of one period's measures, in one statement. */
export async function measureGroups(
  ctx: DomainContext,
  filter: PostFilter,
  want: GroupSets,
): Promise<Groups> {
  const { groups } = await queryParts(ctx, filter, { groups: groupsPart(ctx, filter, want) });
  return groups;
}
