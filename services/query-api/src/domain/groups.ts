import { type RawBuilder, sql } from 'kysely';
import type { DomainContext } from '../context.js';
import {
  type AggregateField,
  type AggregateRow,
  aggregateColumns,
  aggregateFields,
  type Cte,
  emptyAggregate,
  type Part,
  type PostFilter,
  part,
  queryParts,
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

/**
 * The groupings a response needs, in one part: a SELECT per source, each row saying in `g` which grouping
 * it belongs to. The total sums `t` (or `sp`, the previous period) and the platforms `pl`, both whole UTC
 * days where they can. Periods and cells group the rows of `s` in one pass (GROUPING SETS: 1.8 ms for
 * a month's hours, where two passes took 2.8): a row's period by bounds computed in the zone beforehand (`width_bucket`), its
 * local hour of the week from its instant plus the zone's offset at that time (`offsetSegments`, found by
 * binary search): no zone conversion per row. Groups without posts (rollup rows whose posts moved away)
 * are left out.
 */
export function groupsPart(want: GroupSets, totalOf: 't' | 'sp' = 't'): Part {
  const selects: RawBuilder<unknown>[] = [];
  const reads: Cte[] = [];
  const noKeys = sql`NULL::text AS bucket, NULL::int AS how`;
  if (want.total) {
    selects.push(sql`SELECT 'total' AS g, NULL::text AS platform, ${noKeys}, ${aggregateColumns()}
      FROM ${sql.table(totalOf)}`);
    reads.push(totalOf);
  }
  if (want.platforms) {
    selects.push(sql`SELECT 'platform' AS g, platform, ${noKeys}, ${aggregateColumns()}
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
    const fields = [
      ...new Set([...(periods ? (want.periodFields ?? aggregateFields) : []), ...(cells ? cellFields : [])]),
    ];
    const g = !periods
      ? sql`'cell'`
      : cells
        ? sql`CASE WHEN grouping(i) = 0 THEN 'period' ELSE 'cell' END`
        : sql`'period'`;
    selects.push(sql`SELECT ${g} AS g, NULL::text AS platform,
        ${periods ? sql`(${periods.starts}::text[])[i]` : sql`NULL::text`} AS bucket,
        ${cells ? sql`how` : sql`NULL::int`} AS how, ${aggregateColumns(fields)}
      FROM (SELECT s.*, ${sql.join(keys)} FROM s) x
      GROUP BY GROUPING SETS (${sql.join(sets)})
      HAVING sum(posts) > 0`);
    reads.push('s');
  }
  return part(reads, sql.join(selects, sql` UNION ALL `), { columns: groupColumns });
}

const groupColumns = ['g', 'platform', 'bucket', 'how', ...aggregateFields];

type GroupRow = AggregateRow & {
  g: 'total' | 'platform' | 'period' | 'cell';
  platform: string | null;
  bucket: string | null;
  how: number | null;
};

/** Sorts the rows into their groups as they are (no copies: a response has hundreds of rows). */
export function groupsFrom(input: readonly unknown[]): Groups {
  const out: Groups = { total: emptyAggregate, platforms: [], periods: new Map(), cells: [] };
  for (const row of input as GroupRow[]) {
    if (row.g === 'total') out.total = row;
    else if (row.g === 'platform' && row.platform !== null)
      out.platforms.push(row as GroupRow & { platform: string });
    else if (row.g === 'period' && row.bucket !== null) out.periods.set(row.bucket, row);
    else if (row.g === 'cell' && row.how !== null)
      out.cells.push({ ...row, dow: ((Math.floor(row.how / 24) + 3) % 7) + 1, hour: row.how % 24 });
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
  return groupsFrom(groups);
}
