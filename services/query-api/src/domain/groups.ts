import { type RawBuilder, sql } from 'kysely';
import type { DomainContext } from '../context.js';
import {
  type AggregateRow,
  aggregateColumns,
  emptyAggregate,
  type Part,
  type PostFilter,
  part,
  queryParts,
} from './post-set.js';
import type { TrendPeriod } from './trends.js';

/** Which groupings of the period's measures (`s`) a response needs; all are computed in one pass. */
export interface GroupSets {
  /** The whole period. */
  total?: boolean;
  /** Per platform. */
  platforms?: boolean;
  /** Per local day, week (from Monday) or month of publication. */
  period?: TrendPeriod | undefined;
  /** Per local weekday × hour of publication. */
  cells?: boolean;
}

export type CellRow = AggregateRow & { dow: number; hour: number };

export interface Groups {
  total: AggregateRow;
  platforms: (AggregateRow & { platform: string })[];
  /** By the period's first local day (`YYYY-MM-DD`). */
  periods: Map<string, AggregateRow>;
  cells: CellRow[];
}

const truncUnit: Record<TrendPeriod, string> = { daily: 'day', weekly: 'week', monthly: 'month' };

/**
 * One SELECT over `s` (or `sp`, the previous period) with GROUPING SETS; each row says in `g` which set it belongs to, and groups without
 * posts (rollup hours whose posts moved away) are left out. Local calendar fields come from PostgreSQL
 * applying the zone's rules per instant (DST-correct).
 */
export function groupsPart(ctx: DomainContext, want: GroupSets, source: 's' | 'sp' = 's'): Part {
  // The zone's rules are applied once per row (`lt`, local wall-clock time); every field derives from it.
  const local = sql`lt`;
  const dims: { name: 'platform' | 'period' | 'cell'; columns: string[]; exprs?: RawBuilder<unknown> }[] = [];
  if (want.platforms) dims.push({ name: 'platform', columns: ['platform'] });
  if (want.period) {
    const bucket = sql`date_trunc(${truncUnit[want.period]}, ${local})::date`;
    dims.push({ name: 'period', columns: ['bucket'], exprs: sql`${bucket} AS bucket` });
  }
  if (want.cells) {
    dims.push({
      name: 'cell',
      columns: ['dow', 'hour'],
      // date_part (float8) rather than extract (numeric since PostgreSQL 14): several times cheaper per row.
      exprs: sql`date_part('isodow', ${local})::int AS dow, date_part('hour', ${local})::int AS hour`,
    });
  }
  const all = ['platform', 'bucket', 'dow', 'hour'];
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
  return part(
    source,
    sql`
    SELECT ${label} AS g, ${select}, 0 AS ord, ${aggregateColumns}
    FROM (
      SELECT s.*${sql.join(
        dims.flatMap((d) => (d.exprs ? [sql`, ${d.exprs}`] : [])),
        sql``,
      )}
      FROM (SELECT s.*, s.at AT TIME ZONE ${ctx.timezone} AS lt FROM ${sql.table(source)} s OFFSET 0) s
    ) x
    GROUP BY GROUPING SETS (${sql.join(sets)})
    HAVING (${isTotal}) OR sum(posts) > 0`,
  );
}

type GroupRow = AggregateRow & {
  g: 'total' | 'platform' | 'period' | 'cell';
  platform: string | null;
  bucket: string | null;
  dow: number | null;
  hour: number | null;
  ord?: number;
};

export function groupsFrom(input: readonly unknown[]): Groups {
  const out: Groups = { total: emptyAggregate, platforms: [], periods: new Map(), cells: [] };
  for (const { g, platform, bucket, dow, hour, ord: _o, ...a } of input as GroupRow[]) {
    if (g === 'total') out.total = a;
    else if (g === 'platform' && platform !== null) out.platforms.push({ ...a, platform });
    else if (g === 'period' && bucket !== null) out.periods.set(bucket, a);
    else if (g === 'cell' && dow !== null && hour !== null) out.cells.push({ ...a, dow, hour });
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
