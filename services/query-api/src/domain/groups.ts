import { type RawBuilder, sql } from 'kysely';
import type { DomainContext } from '../context.js';
import {
  type AggregateRow,
  aggregateColumns,
  type Cte,
  emptyAggregate,
  type Part,
  type PostFilter,
  part,
  queryParts,
} from './post-set.js';
import type { TrendPeriod } from './trends.js';

/** Which groupings of the period's measures a response needs (see `groupsPart` for how they are read). */
export interface GroupSets {
  /** The whole period. */
  total?: boolean;
  /** Per platform. */
  platforms?: boolean;
  /** Per local day, week (from Monday) or month of publication. */
  period?: TrendPeriod | undefined;
}

export interface Groups {
  total: AggregateRow;
  platforms: (AggregateRow & { platform: string })[];
  /** By the period's first local day (`YYYY-MM-DD`). */
  periods: Map<string, AggregateRow>;
}

const truncUnit: Record<TrendPeriod, string> = { daily: 'day', weekly: 'week', monthly: 'month' };

/**
 * The groupings a response needs, in one part: one SELECT with GROUPING SETS over `s` (or `sp`, the
 * previous period) for the total and periods, and one over `pl` for the platforms; each row says
 * in `g` which set it belongs to, and groups without posts (rollup hours whose posts moved away) are left
 * out.
 */
export function groupsPart(ctx: DomainContext, want: GroupSets, source: 's' | 'sp' = 's'): Part {
  const { platforms, ...summed } = want;
  const selects: RawBuilder<unknown>[] = [];
  const reads: Cte[] = [];
  if (summed.total || summed.period) {
    selects.push(groupingSelect(ctx, summed, source));
    reads.push(source);
  }
  if (platforms) {
    selects.push(groupingSelect(ctx, { platforms: true }, 'pl'));
    reads.push('pl');
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

function groupingSelect(ctx: DomainContext, want: GroupSets, source: Cte): RawBuilder<unknown> {
  const local = sql`lt`;
  const dims: { name: 'platform' | 'period'; columns: string[]; exprs?: RawBuilder<unknown> }[] = [];
  if (want.platforms) dims.push({ name: 'platform', columns: ['platform'] });
  if (want.period) {
    const bucket = sql`date_trunc(${truncUnit[want.period]}, ${local})::date`;
    dims.push({ name: 'period', columns: ['bucket'], exprs: sql`${bucket} AS bucket` });
  }
  const all = ['platform', 'bucket'];
  const grouped = new Set(dims.flatMap((d) => d.columns));
  const select = sql.join(all.map((c) => (grouped.has(c) ? sql.ref(c) : sql`NULL AS ${sql.ref(c)}`)));
  const sets = [
    ...(want.total ? [sql`()`] : []),
    ...dims.map((d) => sql`(${sql.join(d.columns.map((c) => sql.ref(c)))})`),
  ];
  const label = dims.length
    ? sql`CASE ${sql.join(
        dims.map((d) => sql`WHEN GROUPING(${sql.ref(d.columns[0] ?? '')}) = 0 THEN ${d.name}`),
        sql` `,
      )} ELSE 'total' END`
    : sql`'total'`;
  const isTotal = dims.length
    ? sql.join(
        dims.map((d) => sql`GROUPING(${sql.ref(d.columns[0] ?? '')}) = 1`),
        sql` AND `,
      )
    : sql`true`;
  const exprs = dims.flatMap((d) => (d.exprs ? [sql`, ${d.exprs}`] : []));
  const rows = exprs.length ? localRows(ctx, source, sql.join(exprs, sql``)) : sql.table(source);
  return sql`
    SELECT ${label} AS g, ${select}, 0 AS ord, ${aggregateColumns}
    FROM ${rows} x
    GROUP BY GROUPING SETS (${sql.join(sets)})
    HAVING (${isTotal}) OR sum(posts) > 0`;
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
  const { groups } = await queryParts(ctx, filter, { groups: groupsPart(ctx, want) });
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
