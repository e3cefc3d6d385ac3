import { type RawBuilder, sql } from 'kysely';
import type { DomainContext } from '../context.js';
import {
  type AggregateField,
  type AggregateRow,
  aggregateColumns,
  type Cte,
  emptyAggregate,
  type Part,
  type PostFilter,
  part,
  queryParts,
} from './post-set.js';
import type { PeriodBounds } from './time.js';

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
    selects.push(sql`SELECT 'total' AS g, NULL::text AS platform, NULL::text AS bucket, 0 AS ord, ${aggregateColumns()}
      FROM ${sql.table(totalOf)}`);
    reads.push(totalOf);
  }
  if (want.platforms) {
    selects.push(sql`SELECT 'platform' AS g, platform, NULL::text AS bucket, 0 AS ord, ${aggregateColumns()}
      FROM pl GROUP BY platform HAVING sum(posts) > 0`);
    reads.push('pl');
  }
  if (want.periods) {
    const { starts, bounds } = want.periods;
    selects.push(sql`SELECT 'period' AS g, NULL::text AS platform, (${starts}::text[])[i] AS bucket, 0 AS ord,
        ${aggregateColumns(want.periodFields)}
      FROM (SELECT s.*, width_bucket(s.at, ${bounds}::timestamptz[]) AS i FROM s) x
      GROUP BY i HAVING sum(posts) > 0`);
    reads.push('s');
  }
  return part(reads, sql.join(selects, sql` UNION ALL `));
}

/**
 * `source`'s rows with local calendar fields (`fields`, from `lt`, the local wall-clock time): PostgreSQL
 * applies the zone's rules once per row (DST-correct), and every field derives from it.
 */
function localRows(ctx: DomainContext, source: Cte, fields: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`(
    SELECT s.*${fields}
    FROM (SELECT s.*, s.at AT TIME ZONE ${ctx.timezone} AS lt FROM ${sql.table(source)} s OFFSET 0) s
  )`;
}

type GroupRow = AggregateRow & {
  g: 'total' | 'platform' | 'period';
  platform: string | null;
  bucket: string | null;
  ord?: number;
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

/** The period's measures per local weekday × hour of publication, only the columns a cell needs. */
export function cellsPart(ctx: DomainContext): Part {
  // date_part (float8) rather than extract (numeric since PostgreSQL 14): several times cheaper per row.
  const fields = sql`, date_part('isodow', lt)::int AS dow, date_part('hour', lt)::int AS hour`;
  return part(
    's',
    sql`SELECT dow, hour, 0 AS ord, coalesce(sum(posts), 0)::int AS posts, coalesce(sum(k), 0)::int AS k,
      sum(er_num)::bigint AS er_num, sum(er_den)::bigint AS er_den,
      sum(e2)::float8 AS e2, sum(n2)::float8 AS n2, sum(en)::float8 AS en
    FROM ${localRows(ctx, 's', fields)} x
    GROUP BY dow, hour
    HAVING sum(posts) > 0`,
  );
}
