/**
 * Reads of the hourly rollups, for the query API. THE READ RULE: ReplacingMergeTree collapses rows of
 * one key only when parts merge, so every read first reduces to one row per key with
 * `argMax(tuple(col), version)` (grouped by the table's ORDER BY key, or coarser buckets of it) and
 * only then aggregates across posts or accounts. `tuple()` matters: a plain argMax skips NULLs, so it
 * would return an older count when the newest observation says "not reported".
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { type PostMetricName, postMetricNames } from '@postpulse/contracts';
import { z } from 'zod';
import { join, raw, type Sql, sql } from './sql.js';

export type { PostMetricName };
export type PostMetricValues = Record<PostMetricName, number | null>;

const platform = z.enum(['linkedin', 'twitter', 'facebook', 'instagram']);
/** IANA zone names only: letters, digits, `/ _ + -`. ClickHouse rejects unknown ones with an error. */
const timeZone = z.string().regex(/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/, 'an IANA time zone');

const newest = (column: string): Sql => raw(`tupleElement(argMax(tuple(${column}), version), 1)`);
const toNumber = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function metricValues(row: Record<string, unknown>): PostMetricValues {
  return Object.fromEntries(postMetricNames.map((m) => [m, toNumber(row[m])])) as PostMetricValues;
}

async function rows(client: ClickHouseClient, query: Sql): Promise<Record<string, unknown>[]> {
  return (await client.query({ query: query.text, format: 'JSONEachRow' })).json<Record<string, unknown>>();
}

const latestInput = z.object({
  tenantId: z.uuid(),
  platform: platform.optional(),
  platformPostIds: z.array(z.string().min(1).max(512)).max(10_000).optional(),
});

export interface PostLatestTotals extends PostMetricValues {
  platform: string;
  platform_post_id: string;
  post_id: string;
  observed_at: string;
}

/** Each post's lifetime totals at its newest observation. */
export async function readPostLatestTotals(
  client: ClickHouseClient,
  input: z.input<typeof latestInput>,
): Promise<PostLatestTotals[]> {
  const q = latestInput.parse(input);
  const where = [sql`tenant_id = ${q.tenantId}`];
  if (q.platform) where.push(sql`platform = ${q.platform}`);
  if (q.platformPostIds) where.push(sql`has(${q.platformPostIds}, platform_post_id)`);
  const result = await rows(
    client,
    sql`SELECT platform, platform_post_id, ${newest('post_id')} AS post_id,
          toString(${newest('observed_at')}) AS observed_at,
          ${join(
            postMetricNames.map((m) => sql`${newest(m)} AS ${raw(m)}`),
            ', ',
          )}
        FROM post_metrics_hourly_v1
        WHERE ${join(where, ' AND ')}
        GROUP BY platform, platform_post_id
        ORDER BY platform, platform_post_id`,
  );
  return result.map((r) => ({
    platform: String(r.platform),
    platform_post_id: String(r.platform_post_id),
    post_id: String(r.post_id),
    observed_at: `${String(r.observed_at).replace(' ', 'T')}Z`,
    ...metricValues(r),
  }));
}

const bucketInput = z
  .object({
    tenantId: z.uuid(),
    platform: platform.optional(),
    bucket: z.enum(['hour', 'day']),
    timeZone: timeZone.default('UTC'),
    from: z.date(),
    to: z.date(),
  })
  .refine((q) => q.from < q.to, 'from must be before to');

export interface BucketMetrics {
  /** `YYYY-MM-DD` (day, in the time zone) or `YYYY-MM-DDTHH:00:00Z` (hour, UTC). */
  bucket: string;
  platform: string;
  /** Σ over posts of each post's lifetime totals as of the end of the bucket (carried forward). */
  totals: PostMetricValues;
  /** Σ over posts of what each post's lifetime totals grew by in the bucket. */
  gained: PostMetricValues;
}

/**
 * Totals and gains per bucket and platform. Per post, the newest observation in each bucket is taken
 * (argMax), observations before `from` collapse into one baseline bucket, and gains are differences of
 * lifetime totals between a post's consecutive observed buckets (arrays, since 18.16 has no window
 * functions). A post's first observation counts fully as gained in its bucket; a gain next to a
 * not-reported (null) value is unknown and left out of the sum. Buckets without any observation are
 * not returned: nothing changed in them.
 */
export async function readMetricsByBucket(
  client: ClickHouseClient,
  input: z.input<typeof bucketInput>,
): Promise<BucketMetrics[]> {
  const q = bucketInput.parse(input);
  const tz = q.timeZone;
  const bucketOf = q.bucket === 'day' ? sql`toDate(hour, ${tz})` : sql`toStartOfHour(hour)`;
  const fromBucket = q.bucket === 'day' ? sql`toDate(${q.from}, ${tz})` : sql`toStartOfHour(${q.from})`;
  const baseline = q.bucket === 'day' ? sql`(${fromBucket} - 1)` : sql`(${fromBucket} - 3600)`;
  const where = [sql`tenant_id = ${q.tenantId}`, sql`hour < ${q.to}`];
  if (q.platform) where.push(sql`platform = ${q.platform}`);
  const m = postMetricNames;
  // Element 1 of each tuple is the bucket; element i + 2 is metric i.
  const deltas = m.map(
    (name, i) =>
      sql`arrayMap(j -> if(j = 1, tupleElement(s[1], ${i + 2}), tupleElement(s[j], ${i + 2}) - tupleElement(s[j - 1], ${i + 2})), arrayEnumerate(s)) AS ${raw(`d_${name}`)}`,
  );
  const result = await rows(
    client,
    sql`SELECT toString(b) AS bucket, platform, b < ${fromBucket} AS is_baseline,
          ${join(
            m.map((name) => sql`sum(${raw(`d_${name}`)}) AS ${raw(name)}`),
            ', ',
          )}
        FROM (
          SELECT platform, arraySort(groupArray(tuple(b, ${join(
            m.map((name) => raw(name)),
            ', ',
          )}))) AS s,
            arrayMap(t -> tupleElement(t, 1), s) AS bs,
            ${join(deltas, ', ')}
          FROM (
            SELECT platform, platform_post_id, greatest(${bucketOf}, ${baseline}) AS b,
              ${join(
                m.map((name) => sql`${newest(name)} AS ${raw(name)}`),
                ', ',
              )}
            FROM post_metrics_hourly_v1
            WHERE ${join(where, ' AND ')}
            GROUP BY platform, platform_post_id, b
          )
          GROUP BY platform, platform_post_id
        )
        ARRAY JOIN bs AS b, ${join(
          m.map((name) => raw(`d_${name}`)),
          ', ',
        )}
        GROUP BY b, platform
        ORDER BY platform, b`,
  );
  const out: BucketMetrics[] = [];
  const running = new Map<string, PostMetricValues>();
  for (const r of result) {
    const p = String(r.platform);
    const gained = metricValues(r);
    const before = running.get(p);
    const totals = Object.fromEntries(
      postMetricNames.map((name) => {
        const prev = before?.[name] ?? null;
        const add = gained[name];
        return [name, prev === null ? add : add === null ? prev : prev + add];
      }),
    ) as PostMetricValues;
    running.set(p, totals);
    if (Number(r.is_baseline) === 1) continue;
    const bucket = q.bucket === 'day' ? String(r.bucket) : `${String(r.bucket).replace(' ', 'T')}Z`;
    out.push({ bucket, platform: p, totals, gained });
  }
  return out;
}

const bestTimesInput = z.object({
  tenantId: z.uuid(),
  platform: platform.optional(),
  timeZone: timeZone.default('UTC'),
  publishedFrom: z.date().optional(),
  publishedTo: z.date().optional(),
});

export interface BestTimeCell {
  /** ISO weekday in the time zone: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Hour of publication in the time zone, 0–23. */
  hour: number;
  posts: number;
  impressions: number;
  engagements: number;
  /** Σ engagements / Σ impressions × 100; null when no impressions. */
  engagement_rate: number | null;
}

/** Weekday × hour of publication in the tenant's zone, over each post's newest totals. */
export async function readBestTimes(
  client: ClickHouseClient,
  input: z.input<typeof bestTimesInput>,
): Promise<BestTimeCell[]> {
  const q = bestTimesInput.parse(input);
  const where = [sql`tenant_id = ${q.tenantId}`];
  if (q.platform) where.push(sql`platform = ${q.platform}`);
  const outer = [sql`published_at IS NOT NULL`];
  if (q.publishedFrom) outer.push(sql`published_at >= ${q.publishedFrom}`);
  if (q.publishedTo) outer.push(sql`published_at < ${q.publishedTo}`);
  const result = await rows(
    client,
    sql`SELECT toDayOfWeek(assumeNotNull(published_at), ${q.timeZone}) AS weekday,
          toHour(assumeNotNull(published_at), ${q.timeZone}) AS hour, count() AS posts,
          sum(ifNull(impressions, 0)) AS impressions,
          sum(ifNull(likes_count, 0) + ifNull(comments_count, 0) + ifNull(shares_count, 0)) AS engagements
        FROM (
          SELECT platform, platform_post_id, ${newest('published_at')} AS published_at,
            ${newest('impressions')} AS impressions, ${newest('likes_count')} AS likes_count,
            ${newest('comments_count')} AS comments_count, ${newest('shares_count')} AS shares_count
          FROM post_metrics_hourly_v1
          WHERE ${join(where, ' AND ')}
          GROUP BY platform, platform_post_id
        )
        WHERE ${join(outer, ' AND ')}
        GROUP BY weekday, hour
        ORDER BY weekday, hour`,
  );
  return result.map((r) => {
    const impressions = Number(r.impressions);
    const engagements = Number(r.engagements);
    return {
      weekday: Number(r.weekday),
      hour: Number(r.hour),
      posts: Number(r.posts),
      impressions,
      engagements,
      engagement_rate: impressions > 0 ? (engagements / impressions) * 100 : null,
    };
  });
}

const followersInput = z.object({
  tenantId: z.uuid(),
  platform: platform.optional(),
  timeZone: timeZone.default('UTC'),
  from: z.date(),
  to: z.date(),
});

export interface AccountDay {
  day: string;
  platform: string;
  account_id: string;
  followers_count: number | null;
  following_count: number | null;
  posts_count: number | null;
}

/** Each account's counts at its last observation of each day (in the zone) that has one. */
export async function readAccountMetricsByDay(
  client: ClickHouseClient,
  input: z.input<typeof followersInput>,
): Promise<AccountDay[]> {
  const q = followersInput.parse(input);
  const where = [sql`tenant_id = ${q.tenantId}`, sql`hour >= toStartOfHour(${q.from})`, sql`hour < ${q.to}`];
  if (q.platform) where.push(sql`platform = ${q.platform}`);
  const result = await rows(
    client,
    sql`SELECT toString(toDate(hour, ${q.timeZone})) AS day, platform, account_id,
          ${newest('followers_count')} AS followers_count, ${newest('following_count')} AS following_count,
          ${newest('posts_count')} AS posts_count
        FROM account_metrics_hourly_v1
        WHERE ${join(where, ' AND ')}
        GROUP BY day, platform, account_id
        ORDER BY platform, account_id, day`,
  );
  return result.map((r) => ({
    day: String(r.day),
    platform: String(r.platform),
    account_id: String(r.account_id),
    followers_count: toNumber(r.followers_count),
    following_count: toNumber(r.following_count),
    posts_count: toNumber(r.posts_count),
  }));
}
