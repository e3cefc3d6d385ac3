// Synthetic data for the query-api benchmark, written straight into the aggregator's tables (no Kafka):
// one tenant with N posts published evenly over a year, each with H hourly snapshots in ClickHouse
// (post_metrics_hourly_v1) and its latest totals in Postgres (posts, post_metrics_latest, and the rollups
// and gains the aggregator would keep). The numbers
// follow one formula in both stores, so the latest row in Postgres equals the newest hour in ClickHouse.
// Each of the 4 accounts has an hourly follower count over the year and the 60 days before it, with each
// UTC hour's first and last (the overview's follower growth). post_metric_snapshots (raw history in
// Postgres) is not filled: the query API does not read it.
import {
  addGains,
  createDb,
  type Database,
  ensureMonthlyPartitions,
  migrateToLatest,
  monthKey,
  rebuildFollowerHours,
  rebuildPostAnalytics,
} from '@postpulse/db';
import { sql as chSql, createOlap, ident, migrateOlap, raw } from '@postpulse/olap';
import { createTenant } from '@postpulse/tenancy';
import { type Kysely, type RawBuilder, sql } from 'kysely';

export interface SeedOptions {
  pgAdminUrl: string;
  pgUrl: string;
  pgDatabase: string;
  clickhouseUrl: string;
  chDatabase: string;
  posts: number;
  hours: number;
  now: Date;
  log: (line: string) => void;
}

export async function seed(o: SeedOptions): Promise<{ tenantId: string; apiKey: string }> {
  const admin = createDb({ url: o.pgAdminUrl, applicationName: 'bench-seed' });
  await sql`DROP DATABASE IF EXISTS ${sql.id(o.pgDatabase)} WITH (FORCE)`.execute(admin);
  await sql`CREATE DATABASE ${sql.id(o.pgDatabase)}`.execute(admin);
  await admin.destroy();
  const db = createDb({ url: o.pgUrl, applicationName: 'bench-seed' });
  await migrateToLatest(db);
  const server = createOlap({ url: o.clickhouseUrl, database: 'default' });
  await server.command({ query: chSql`DROP DATABASE IF EXISTS ${ident(o.chDatabase)}`.text });
  await server.command({ query: chSql`CREATE DATABASE ${ident(o.chDatabase)}`.text });
  await server.close();
  const olap = createOlap({ url: o.clickhouseUrl, database: o.chDatabase, requestTimeoutMs: 600_000 });
  await migrateOlap(olap);

  const { tenant, key } = await createTenant(db, { name: 'Bench tenant', timezone: 'Europe/Berlin' });
  const yearS = 365 * 86_400;
  // Published evenly over the year before now − H hours, so every snapshot lies in the past.
  const startS = Math.floor(o.now.getTime() / 1000) - yearS - o.hours * 3600;
  const stepS = yearS / o.posts;
  const last = o.hours - 1;

  let t = Date.now();
  await sql`
    INSERT INTO posts (id, tenant_id, platform, platform_post_id, account_id, published_at, content_type, content_text,
      hashtags, platform_post_url, attributes_observed_at, text_length, hashtag_keys)
    SELECT md5('bench' || i)::uuid, ${tenant.id}::uuid,
      (ARRAY['linkedin','twitter','facebook','instagram'])[i % 4 + 1], 'bp-' || i, 'acct-' || (i % 4),
      to_timestamp(${startS}::float8 + floor(i * ${stepS}::float8)), (ARRAY['text','image','video','link','carousel'])[i % 5 + 1],
      text, tags, 'https://example.com/p/' || i, now(), char_length(text), tags -- the tags are lower-case and distinct
    FROM (SELECT i, 'Bench post ' || i || ' ' || repeat('x', (i * 37) % 400) AS text,
            ARRAY['tag' || (i % 20), 'topic' || (i % 7)] AS tags
          FROM generate_series(0, ${o.posts - 1}) AS i) s`.execute(db);
  // Post i's totals at its h-th hourly observation, one formula for every table written below.
  const observations = (hours: RawBuilder<unknown>) => sql`(
    SELECT ${tenant.id}::uuid AS tenant_id, (ARRAY['linkedin','twitter','facebook','instagram'])[i % 4 + 1] AS platform,
      'bp-' || i AS platform_post_id, 'acct-' || (i % 4) AS account_id, md5('ev' || i || ':' || h)::uuid AS event_id,
      to_timestamp(${startS}::float8 + floor(i * ${stepS}::float8) + h * 3600 + 60) AS observed_at,
      imp AS impressions, floor(imp * 0.8)::bigint AS reach, floor(imp * 0.01)::bigint AS clicks,
      (floor(imp * 0.03) + i % 5)::bigint AS likes_count, floor(imp * 0.004)::bigint AS comments_count,
      floor(imp * 0.002)::bigint AS shares_count, true AS counted
    FROM (SELECT i, h, (500 + (i * 7919) % 5000) * (h + 1)::bigint AS imp
          FROM generate_series(0, ${o.posts - 1}) AS i, ${hours} AS h) s)`;
  await sql`
    INSERT INTO post_metrics_latest (tenant_id, platform, platform_post_id, observed_at, event_id, account_id,
      impressions, reach, clicks, likes_count, comments_count, shares_count)
    SELECT tenant_id, platform, platform_post_id, observed_at, event_id, account_id,
      impressions, reach, clicks, likes_count, comments_count, shares_count
    FROM ${observations(sql`generate_series(${last}::int, ${last}::int)`)} o`.execute(db);
  await sql`ANALYZE posts`.execute(db);
  // The aggregator keeps these as it writes; data written straight into the tables needs them rebuilt.
  await rebuildPostAnalytics(db);
  o.log(`postgres: ${o.posts} posts and latest rows in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  t = Date.now();
  await sql`${addGains(observations(sql`generate_series(0, ${last}::int)`))}`.execute(db);
  await sql`ANALYZE post_gains_hourly`.execute(db);
  o.log(`postgres: gains of ${o.posts * o.hours} observations in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  await seedAccountSnapshots(db, tenant.id, o.now);

  t = Date.now();
  const rows = o.posts * o.hours;
  const uuid = raw(
    `concat(substring(x, 1, 8), '-', substring(x, 9, 4), '-', substring(x, 13, 4), '-', substring(x, 17, 4), '-', substring(x, 21, 12))`,
  );
  await olap.command({
    query: chSql`INSERT INTO post_metrics_hourly_v1
      SELECT ${tenant.id} AS tenant_id, arrayElement(['linkedin','twitter','facebook','instagram'], i % 4 + 1) AS platform,
        concat('bp-', toString(i)) AS platform_post_id, toStartOfHour(obs) AS hour, ${uuid} AS post_id,
        concat('acct-', toString(i % 4)) AS account_id, pub AS published_at,
        arrayElement(['text','image','video','link','carousel'], i % 5 + 1) AS content_type,
        [concat('tag', toString(i % 20)), concat('topic', toString(i % 7))] AS hashtags,
        toUInt32(length(concat('Bench post ', toString(i), ' ')) + (i * 37) % 400) AS text_length,
        obs AS observed_at, toUInt64(toUInt32(obs)) * 1000 AS version,
        toInt64(imp) AS impressions, toInt64(floor(imp * 0.8)) AS reach, toInt64(floor(imp * 0.01)) AS clicks,
        toInt64(floor(imp * 0.03) + i % 5) AS likes_count, toInt64(floor(imp * 0.004)) AS comments_count,
        toInt64(floor(imp * 0.002)) AS shares_count, NULL, NULL, NULL, NULL, NULL, NULL
      FROM (
        SELECT intDiv(number, ${o.hours}) AS i, number % ${o.hours} AS h,
          lower(hex(MD5(concat('bench', toString(i))))) AS x,
          toDateTime(${startS} + toUInt64(floor(i * ${stepS})), 'UTC') AS pub,
          toDateTime(${startS} + toUInt64(floor(i * ${stepS})) + h * 3600 + 60, 'UTC') AS obs,
          (500 + (i * 7919) % 5000) * (h + 1) AS imp
        FROM numbers(${rows})
      )`.text,
  });
  await olap.command({ query: 'OPTIMIZE TABLE post_metrics_hourly_v1 FINAL' });
  o.log(`clickhouse: ${rows} hourly rows in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  await olap.close();
  await db.destroy();
  return { tenantId: tenant.id, apiKey: key.api_key };
}

const ACCOUNT_HISTORY_DAYS = 365 + 60;

/**
 * Hourly follower counts of the 4 accounts the posts belong to, with their latest rows and their hours'
 * first and last counts (as the aggregator keeps both), unless the tenant has snapshots already; hours are
 * filled in for snapshots seeded before that table existed.
 */
export async function seedAccountSnapshots(db: Kysely<Database>, tenantId: string, now: Date): Promise<void> {
  const count = async (table: RawBuilder<unknown>) => {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = ${tenantId}`.execute(db);
    return rows[0]?.n ?? 0;
  };
  if ((await count(sql`account_metric_snapshots`)) > 0) {
    if ((await count(sql`account_followers_hourly`)) === 0) await rebuildFollowerHours(db);
    return;
  }
  const endS = Math.floor(now.getTime() / 3_600_000) * 3600;
  const startS = endS - ACCOUNT_HISTORY_DAYS * 86_400;
  const months = new Set<number>();
  for (let at = startS; at <= endS; at += 86_400) months.add(monthKey(new Date(at * 1000)));
  months.add(monthKey(new Date(endS * 1000)));
  await ensureMonthlyPartitions(db, 'account_metric_snapshots', months);
  await sql`
    INSERT INTO account_metric_snapshots (tenant_id, platform, account_id, observed_at, event_id,
      followers_count, following_count, posts_count)
    SELECT ${tenantId}::uuid, (ARRAY['linkedin','twitter','facebook','instagram'])[a + 1], 'acct-' || a,
      to_timestamp(${startS}::float8 + h * 3600), md5('acc' || a || ':' || h)::uuid,
      10000 * (a + 1) + h * (a + 1) / 3, 100 + a, h / 6
    FROM generate_series(0, 3) AS a, generate_series(0, ${ACCOUNT_HISTORY_DAYS * 24}::int) AS h`.execute(db);
  await sql`
    INSERT INTO account_metrics_latest (tenant_id, platform, account_id, observed_at, event_id,
      followers_count, following_count, posts_count)
    SELECT DISTINCT ON (platform, account_id) tenant_id, platform, account_id, observed_at, event_id,
      followers_count, following_count, posts_count
    FROM account_metric_snapshots WHERE tenant_id = ${tenantId}
    ORDER BY platform, account_id, observed_at DESC
    ON CONFLICT (tenant_id, platform, account_id) DO NOTHING`.execute(db);
  await rebuildFollowerHours(db);
  await sql`ANALYZE account_metric_snapshots`.execute(db);
}
