import type { AccountMetricsSnapshot, PostMetricsSnapshot } from '@postpulse/contracts';
import type { ClickHouseClient } from '@postpulse/olap';
import { observedMs, pickPerKey, subjectKey } from './keys.js';
import { type PostDimensions, postKey } from './postgres-store.js';

const HOUR_MS = 3_600_000;
// DateTime in ClickHouse cannot hold instants outside this range; such a published_at is stored as unknown.
const DATETIME_MIN = Date.UTC(1970, 0, 2);
const DATETIME_MAX = Date.UTC(2105, 0, 1);

/** `YYYY-MM-DD hh:mm:ss` in UTC, what a DateTime('UTC') column parses. */
const chDateTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const hourOf = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/**
 * Writes hourly rollup rows. Only the last observation per key and hour is sent (the table would keep
 * only that one anyway), and rows are idempotent: a retry writes identical rows that collapse in merges
 * and in every read (see libs/olap/migrations/000_README.md for the read rule).
 */
export class ClickHouseStore {
  constructor(private readonly client: ClickHouseClient) {}

  async writePostSnapshots(
    events: readonly PostMetricsSnapshot[],
    dimensions: ReadonlyMap<string, PostDimensions>,
  ): Promise<number> {
    const perHour = pickPerKey(
      events,
      (e) => `${postKey(e)}\u0000${hourOf(observedMs(e))}`,
      (a, b) => observedMs(a) > observedMs(b),
    );
    const values = perHour.map((e) => {
      const dims = dimensions.get(postKey(e));
      // Postgres was written first in the same micro-batch, so a missing row is a bug, not a race.
      if (!dims) throw new Error(`post ${e.platform}:${e.platform_post_id} has no Postgres row`);
      const observed = observedMs(e);
      const published = dims.published_at?.getTime() ?? null;
      return {
        tenant_id: e.tenant_id,
        platform: e.platform,
        platform_post_id: e.platform_post_id,
        hour: chDateTime(hourOf(observed)),
        post_id: dims.post_id,
        account_id: dims.account_id,
        published_at:
          published !== null && published >= DATETIME_MIN && published < DATETIME_MAX
            ? chDateTime(published)
            : null,
        content_type: dims.content_type,
        hashtags: dims.hashtags,
        text_length: dims.text_length,
        observed_at: chDateTime(observed),
        version: observed,
        ...e.metrics,
      };
    });
    if (values.length > 0)
      await this.client.insert({ table: 'post_metrics_hourly_v1', values, format: 'JSONEachRow' });
    return values.length;
  }

  async writeAccountSnapshots(events: readonly AccountMetricsSnapshot[]): Promise<number> {
    const perHour = pickPerKey(
      events,
      (e) => `${subjectKey(e.tenant_id, e.platform, e.account_id)}\u0000${hourOf(observedMs(e))}`,
      (a, b) => observedMs(a) > observedMs(b),
    );
    const values = perHour.map((e) => {
      const observed = observedMs(e);
      return {
        tenant_id: e.tenant_id,
        platform: e.platform,
        account_id: e.account_id,
        hour: chDateTime(hourOf(observed)),
        observed_at: chDateTime(observed),
        version: observed,
        ...e.metrics,
      };
    });
    if (values.length > 0) {
      await this.client.insert({ table: 'account_metrics_hourly_v1', values, format: 'JSONEachRow' });
    }
    return values.length;
  }
}
