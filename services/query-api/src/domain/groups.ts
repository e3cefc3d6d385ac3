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
import { offsetSegments, type PeriodBounds } from './time.js';

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
}

export interface Groups {
  total: AggregateRow;
  platforms: (AggregateRow & { platform: string })[];
  /** By the period's first local day (`YYYY-MM-DD`). */
  periods: Map<string, AggregateRow>;
}

/**
 * The groupings a response needs, in one part: a SELECT per grouping, each row saying in `g` which one it
 * belongs to. The total sums `t` (or `sp`, the previous period) and the platforms `pl`, both whole UTC
 * days where they can; the periods group `s` by period bounds computed in the zone beforehand. Periods
 * and platforms without posts (rollup rows whose posts moved away) are left out.
 */
export function groupsPart(want: GroupSets, totalOf: 't' | 'sp' = 't'): Part {
  const selects: RawBuilder<unknown>[] = [];
  const reads: Cte[] = [];
  if (want.total) {
    selects.push(sql`SELECT 'total' AS g, NULL::text AS platform, NULL::text AS bucket, ${aggregateColumns()}
      FROM ${sql.table(totalOf)}`);
    reads.push(totalOf);
  }
  if (want.platforms) {
    selects.push(sql`SELECT 'platform' AS g, platform, NULL::text AS bucket, ${aggregateColumns()}
      FROM pl GROUP BY platform HAVING sum(posts) > 0`);
    reads.push('pl');
  }
  if (want.periods) {
    const { starts, bounds } = want.periods;
    selects.push(sql`SELECT 'period' AS g, NULL::text AS platform, (${starts}::text[])[i] AS bucket,
        ${aggregateColumns(want.periodFields)}
      FROM (SELECT s.*, width_bucket(s.at, ${bounds}::timestamptz[]) AS i FROM s) x
      GROUP BY i HAVING sum(posts) > 0`);
    reads.push('s');
  }
  return part(reads, sql.join(selects, sql` UNION ALL `), groupColumns);
}

const groupColumns = ['g', 'platform', 'bucket', ...aggregateFields];

type GroupRow = AggregateRow & {
  g: 'total' | 'platform' | 'period';
  platform: string | null;
  bucket: string | null;
};

/** Sorts the rows into their groups as they are (no copies: a response has hundreds of rows). */
export function groupsFrom(input: readonly unknown[]): Groups {
  const out: Groups = { total: emptyAggregate, platforms: [], periods: new Map() };
  for (const row of input as GroupRow[]) {
    if (row.g === 'total') out.total = row;
    else if (row.g === 'platform' && row.platform !== null)
      out.platforms.push(row as GroupRow & { platform: string });
    else if (row.g === 'period' && row.bucket !== null) out.periods.set(row.bucket, row);
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

const cellColumns: readonly (keyof CellRow)[] = [
  'dow',
  'hour',
  'posts',
  'k',
  'er_num',
  'er_den',
  'e2',
  'n2',
  'en',
];

/**
 * The period's measures per local weekday × hour of publication, only the columns a cell needs. A row's
 * local hour of the week comes from its instant plus the zone's offset at that time (`offsetSegments`,
 * found by binary search), counted from the epoch's first hour, a Thursday: no zone conversion per row.
 */
export function cellsPart(ctx: DomainContext, f: PostFilter): Part {
  const { starts, offsets } = offsetSegments(f.from, f.to, ctx.timezone);
  const hourOfWeek = sql`(floor((date_part('epoch', s.at)
      + (${offsets}::int[])[width_bucket(s.at, ${starts}::timestamptz[])]) / 3600)::bigint % 168)::int`;
  return part(
    's',
    sql`SELECT (how / 24 + 3) % 7 + 1 AS dow, how % 24 AS hour,
      coalesce(sum(posts), 0)::int AS posts, coalesce(sum(k), 0)::int AS k,
      sum(er_num)::bigint AS er_num, sum(er_den)::bigint AS er_den,
      sum(e2)::float8 AS e2, sum(n2)::float8 AS n2, sum(en)::float8 AS en
    FROM (SELECT s.*, ${hourOfWeek} AS how FROM s) x
    GROUP BY how
    HAVING sum(posts) > 0`,
    cellColumns,
  );
}
