import { type Kysely, sql } from 'kysely';
import { gainedMetrics } from '../post-analytics.js';
import { rebuildPostGains } from '../rebuild.js';

// The activity trend (what was gained per period) must not replay every post's history per request: the
// aggregator keeps, per tenant, platform, UTC hour of observation and UTC hour of the post's previous
// observation, the sums of what each observation gained over the one before it. Gains telescope, so a
// period's rows sum to each post's last totals in the period minus its last before it; and a post was
// observed in a period exactly once with a previous observation before the period's start, which is what
// `previous_hour` answers. Backfilled from the retained snapshot history.
export async function up(db: Kysely<unknown>): Promise<void> {
  const gains = sql.raw(
    gainedMetrics
      .map((m) => `${m} bigint NOT NULL DEFAULT 0, ${m}_n int NOT NULL DEFAULT 0`)
      .join(',\n      '),
  );
  await sql`
    CREATE TABLE post_gains_hourly (
      tenant_id uuid NOT NULL,
      platform text NOT NULL,
      hour timestamptz NOT NULL CHECK (hour = date_bin('1 hour', hour, timestamptz '2000-01-01 00:00:00+00')),
      previous_hour timestamptz NOT NULL,
      observations int NOT NULL DEFAULT 0,
      ${gains},
      er_num bigint NOT NULL DEFAULT 0, er_den bigint NOT NULL DEFAULT 0,
      ctr_num bigint NOT NULL DEFAULT 0, ctr_den bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (tenant_id, hour, platform, previous_hour)
    ) WITH (fillfactor = 80)`.execute(db);
  await rebuildPostGains(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE post_gains_hourly`.execute(db);
}
