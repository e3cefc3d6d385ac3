import { platforms } from '@postpulse/contracts';
import { type RawBuilder, sql } from 'kysely';
import type { DomainContext } from '../context.js';
import {
  type AggregateField,
  type AggregateRow,
  aggregateFields,
  type Cte,
  emptyAggregate,
  type Part,
  type PostFilter,
  packedAggregates,
  packedPart,
  queryParts,
  sumAggregates,
  unpackAggregate,
} from './post-set.js';
import type { OffsetSegments, PeriodBounds } from './time.js';

/** Which groupings of the period's measures a response needs (see `groupsPart` for how they are read). */
export interface GroupSets {
  /** The whole period. */
  total?: boolean;
  /** Per platform. */
  platforms?: boolean;
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
const kinds = { total: 0, platform: 1, period: 2, cell: 3 } as const;
const kind = (k: keyof typeof kinds) => sql.raw(`${kinds[k]}::float8`);

/** The fields of the period and cell rows (both come from one grouping pass, so they carry the same). */
const setFields = (want: GroupSets): AggregateField[] => [
  ...new Set([
    ...(want.periods ? (want.periodFields ?? aggregateFields) : []),
    ...(want.cells ? cellFields : []),
  ]),
];

/**
 * The groupings a response needs, in one part: a SELECT per source, each row packed as float8 bytes
 * (`packedPart`): its kind, its key (the platform's place in `platforms`, the period's number or the
 * local hour of the week) and its sums (`packedAggregates`). The total sums `t` (or `sp`, the previous
 * period) and the platforms `pl`, both whole UTC days where they can. Periods and cells group the rows of
 * `s` in one pass (GROUPING SETS: 1.8 ms for a month's hours, where two passes took 2.8): a row's period
 * by bounds computed in the zone beforehand (`width_bucket`), its local hour of the week from its instant
 * plus the zone's offset at that time (`offsetSegments`, found by binary search): no zone conversion per
 * row. Groups without posts (rollup rows whose posts moved away) are left out. With the platforms, the
 * period's total is their sum (`totalOfPlatforms`): `t` is not read.
 */
export function groupsPart(want: GroupSets, totalOf: 't' | 'sp' = 't'): Part<Groups> {
  const selects: RawBuilder<unknown>[] = [];
  const reads: Cte[] = [];
  const all = packedAggregates(aggregateFields);
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
  if (periods || cells) {
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
    const groups = groupsFrom(bytes, want);
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

/** Sorts the packed rows of `groupsPart` into their groups. */
function groupsFrom(bytes: Buffer | null, want: GroupSets): Groups {
  const out: Groups = { total: emptyAggregate, platforms: [], periods: new Map(), cells: [] };
  if (!bytes) return out;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields = setFields(want);
  const starts = want.periods?.starts ?? [];
  let at = 0;
  while (at < view.byteLength) {
    const kind = view.getFloat64(at);
    const key = view.getFloat64(at + 8);
    const own = kind === kinds.total || kind === kinds.platform ? aggregateFields : fields;
    const row = unpackAggregate(view, at + 16, own);
    at += 16 + own.length * 8;
    if (kind === kinds.total) out.total = row;
    else if (kind === kinds.platform) {
      const platform = platforms[key - 1];
      if (platform) out.platforms.push({ ...row, platform });
    } else if (kind === kinds.period) {
      const start = starts[key - 1];
      if (start !== undefined) out.periods.set(start, row);
    } else {
      out.cells.push({
        dow: ((Math.floor(key / 24) + 3) % 7) + 1,
        hour: key % 24,
        posts: row.posts,
        k: row.k,
        er_num: row.er_num,
        er_den: row.er_den,
        e2: row.e2,
        n2: row.n2,
        en: row.en,
      });
    }
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
  const { groups } = await queryParts(ctx, filter, { groups: groupsPart(want) });
  return groups;
}
