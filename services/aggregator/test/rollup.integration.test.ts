import { randomUUID } from 'node:crypto';
import { createDb, latestPostRow, rebuildPostAnalytics, rebuildPostGains } from '@postpulse/db';
import { createTestDatabase, type TestDatabase } from '@postpulse/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../src/postgres-store.js';
import { emptyMetrics, postEvent } from './fixtures.js';

// The hourly rollup and the hourly gains are kept by the write statement itself; these tests drive
// PostgresStore directly and compare them with sums computed here, and with rebuilds.
let t: TestDatabase;
let store: PostgresStore;
beforeAll(async () => {
  t = await createTestDatabase();
  store = new PostgresStore(t.db);
});
afterAll(() => t.drop());

async function rollup(tenant: string) {
  const { rows } = await sql<{
    platform: string;
    hour: Date;
    posts: number;
    likes_count: number;
    likes_count_n: number;
    reach_n: number;
    engagements: number;
    er_num: number;
    er_den: number;
    k: number;
    e2: number;
  }>`SELECT platform, hour, posts, likes_count, likes_count_n, reach_n, engagements, er_num, er_den, k, e2
     FROM post_rollup_hourly WHERE tenant_id = ${tenant} AND platform <> 'all' ORDER BY hour, platform`.execute(
    t.db,
  );
  return rows.map((r) => ({ ...r, hour: new Date(r.hour).toISOString() }));
}

/** Hours whose row summed over the platforms differs from the sum of the hour's platform rows. */
async function allPlatformMismatches(tenant: string) {
  const { rows } = await sql<{ hour: Date }>`
    SELECT hour FROM post_rollup_hourly WHERE tenant_id = ${tenant}
    GROUP BY hour
    HAVING sum(posts) FILTER (WHERE platform = 'all') IS DISTINCT FROM sum(posts) FILTER (WHERE platform <> 'all')
        OR sum(likes_count) FILTER (WHERE platform = 'all') IS DISTINCT FROM sum(likes_count) FILTER (WHERE platform <> 'all')
        OR sum(er_den) FILTER (WHERE platform = 'all') IS DISTINCT FROM sum(er_den) FILTER (WHERE platform <> 'all')`.execute(
    t.db,
  );
  return rows;
}

/** A rollup table and the column of its time bucket. */
interface Level {
  table: string;
  key: 'hour' | 'day' | 'month';
}
const hourly: Level = { table: 'post_rollup_hourly', key: 'hour' };
const daily = { table: 'post_rollup_daily', key: 'day' } as const;
const monthly = { table: 'post_rollup_monthly', key: 'month' } as const;

/**
 * Rows of a coarser rollup (of a platform or summed over them) that differ from the sum of the finer
 * rollup's rows in their UTC day or month.
 */
async function coarserMismatches(tenant: string, finer: Level, coarser: Level & { key: 'day' | 'month' }) {
  const { rows } = await sql<{ at: Date; platform: string }>`
    WITH f AS (
      SELECT platform, date_trunc(${coarser.key}, ${sql.ref(finer.key)} AT TIME ZONE 'UTC') AS at, sum(posts) AS posts,
        sum(likes_count) AS likes_count, sum(likes_count_n) AS likes_count_n, sum(er_den) AS er_den, sum(e2) AS e2
      FROM ${sql.table(finer.table)} WHERE tenant_id = ${tenant} GROUP BY 1, 2
    ), c AS (
      SELECT platform, ${sql.ref(coarser.key)} AT TIME ZONE 'UTC' AS at, posts, likes_count, likes_count_n, er_den, e2
      FROM ${sql.table(coarser.table)} WHERE tenant_id = ${tenant}
    )
    SELECT at, platform FROM f FULL JOIN c USING (platform, at)
    WHERE (f.posts, f.likes_count, f.likes_count_n, f.er_den, f.e2)
      IS DISTINCT FROM (c.posts, c.likes_count, c.likes_count_n, c.er_den, c.e2)`.execute(t.db);
  return rows;
}

/** Daily rows that differ from the sum of their UTC day's hourly rows. */
const dailyMismatches = (tenant: string) => coarserMismatches(tenant, hourly, daily);

/** Monthly rows that differ from the sum of their UTC month's daily rows. */
const monthlyMismatches = (tenant: string) => coarserMismatches(tenant, daily, monthly);

/** A rollup level's rows of single platforms, in bucket order, as [bucket start, posts, likes]. */
async function platformRows(tenant: string, level: Level) {
  const { rows } = await sql<{ at: Date; posts: number; likes_count: number }>`
    SELECT ${sql.ref(level.key)} AS at, posts, likes_count FROM ${sql.table(level.table)}
    WHERE tenant_id = ${tenant} AND platform <> 'all' ORDER BY 1`.execute(t.db);
  return rows.map((r) => [new Date(r.at).toISOString(), r.posts, r.likes_count]);
}

/**
 * Hours of the day-hours rows that differ from their hourly rollup row over all platforms (zero where the
 * hour has none), and such hourly rows with posts that no day-hours row holds.
 */
async function dayHoursMismatches(tenant: string) {
  const columns = ['posts', 'k', 'er_num', 'er_den', 'e2'] as const;
  const { rows: hours } = await sql<Record<(typeof columns)[number], number> & { hour: Date }>`
    SELECT hour, ${sql.join(columns.map((c) => sql`${sql.id(c)}::float8`))}
    FROM post_rollup_hourly WHERE tenant_id = ${tenant} AND platform = 'all'`.execute(t.db);
  const { rows: days } = await sql<Record<(typeof columns)[number], Buffer> & { day: Date }>`
    SELECT day, ${sql.join(columns.map((c) => sql.id(c)))}
    FROM post_rollup_day_hours WHERE tenant_id = ${tenant}`.execute(t.db);
  const expected = new Map(hours.map((h) => [h.hour.getTime(), h]));
  const mismatches: string[] = [];
  for (const d of days) {
    for (let h = 0; h < 24; h++) {
      const at = d.day.getTime() + h * 3_600_000;
      const want = expected.get(at);
      expected.delete(at);
      for (const c of columns) {
        if (d[c].readDoubleBE(h * 8) !== (want?.[c] ?? 0))
          mismatches.push(`${new Date(at).toISOString()} ${c}`);
      }
    }
  }
  for (const [at, h] of expected) if (h.posts !== 0) mismatches.push(`${new Date(at).toISOString()} missing`);
  return mismatches;
}

/**
 * The content rollup's rows with posts, as [platform, day, dimension, key, posts, likes, likes reported,
 * impressions, er_num, er_den]. Rows whose posts all moved to other keys are kept as zeros: the second
 * value counts those that are not all zeros.
 */
async function contentRollup(tenant: string) {
  const { rows } = await sql<{
    platform: string;
    day: Date;
    dimension: string;
    key: string;
    posts: number;
    likes_count: number;
    likes_count_n: number;
    impressions: number;
    er_num: number;
    er_den: number;
  }>`SELECT platform, day, dimension, key, posts, likes_count, likes_count_n, impressions, er_num, er_den
     FROM post_content_rollup_daily
     WHERE tenant_id = ${tenant} AND posts <> 0 ORDER BY platform, day, dimension, key`.execute(t.db);
  const { rows: stray } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM post_content_rollup_daily
    WHERE tenant_id = ${tenant} AND posts = 0
      AND (likes_count, likes_count_n, comments_count, comments_count_n, shares_count, shares_count_n,
           impressions, impressions_n, er_num, er_den) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)`.execute(t.db);
  return {
    rows: rows.map((r) => [
      r.platform,
      new Date(r.day).toISOString().slice(0, 10),
      r.dimension,
      r.key,
      r.posts,
      r.likes_count,
      r.likes_count_n,
      r.impressions,
      r.er_num,
      r.er_den,
    ]),
    strayZeros: stray[0]?.n,
  };
}

/**
 * Content rollup rows that disagree with the rollups they must sum to: summed over the content types (one
 * per post), a day's rows equal its daily rollup row; each all-platforms row equals the sum of its
 * platforms' rows.
 */
async function contentMismatches(tenant: string) {
  const { rows } = await sql<{ day: Date; platform: string }>`
    WITH types AS (
      SELECT platform, day, sum(posts) AS posts, sum(likes_count) AS likes_count, sum(impressions_n) AS impressions_n,
        sum(er_num) AS er_num, sum(er_den) AS er_den
      FROM post_content_rollup_daily WHERE tenant_id = ${tenant} AND dimension = 'type' GROUP BY 1, 2
    ), daily AS (
      SELECT platform, day, posts, likes_count, impressions_n, er_num, er_den
      FROM post_rollup_daily WHERE tenant_id = ${tenant}
    ), platforms AS (
      SELECT day, dimension, key, sum(posts) FILTER (WHERE platform = 'all') AS a,
        sum(posts) FILTER (WHERE platform <> 'all') AS p,
        sum(er_den) FILTER (WHERE platform = 'all') AS ad, sum(er_den) FILTER (WHERE platform <> 'all') AS pd
      FROM post_content_rollup_daily WHERE tenant_id = ${tenant} GROUP BY 1, 2, 3
    )
    SELECT day, platform FROM types FULL JOIN daily USING (platform, day)
    WHERE (types.posts, types.likes_count, types.impressions_n, types.er_num, types.er_den)
      IS DISTINCT FROM (daily.posts, daily.likes_count, daily.impressions_n, daily.er_num, daily.er_den)
    UNION ALL
    SELECT day, dimension || ':' || key FROM platforms WHERE (a, ad) IS DISTINCT FROM (p, pd)`.execute(t.db);
  return rows;
}

async function gains(tenant: string) {
  const { rows } = await sql<{
    hour: Date;
    previous_hour: Date | null;
    observations: number;
    likes_count: number;
    likes_count_n: number;
    impressions: number;
    er_num: number;
    er_den: number;
  }>`SELECT hour, nullif(previous_hour, '-infinity') AS previous_hour, observations, likes_count, likes_count_n, impressions, er_num, er_den
     FROM post_gains_hourly WHERE tenant_id = ${tenant} ORDER BY hour, previous_hour NULLS FIRST`.execute(
    t.db,
  );
  const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
  return rows.map((r) => ({ ...r, hour: iso(r.hour), previous_hour: iso(r.previous_hour) }));
}

const post = (
  tenant: string,
  id: string,
  publishedAt: string,
  observedAt: string,
  m: Partial<typeof emptyMetrics>,
) =>
  postEvent({
    tenant_id: tenant,
    platform_post_id: id,
    observed_at: observedAt,
    post: {
      published_at: publishedAt,
      content_type: 'text',
      content_text: 'x',
      hashtags: [],
      platform_post_url: null,
    },
    metrics: { ...emptyMetrics, ...m },
  });

/** `event` with the post's content replaced. */
const withContent = (
  event: ReturnType<typeof post>,
  content: { content_type: 'text' | 'image' | 'video' | 'link'; content_text: string; hashtags: string[] },
) => ({ ...event, post: { ...(event.post as NonNullable<typeof event.post>), ...content } });

describe('hourly rollup kept by the write statement', () => {
  it('sums each hour’s latest totals, keeps "not reported" apart from 0, and rates only known impressions', async () => {
    const tenant = randomUUID();
    await store.writePostSnapshots([
      post(tenant, 'p1', '2026-04-01T10:05:00Z', '2026-04-02T00:00:00Z', {
        likes_count: 10,
        comments_count: 2,
        impressions: 100,
      }),
      post(tenant, 'p2', '2026-04-01T10:59:59Z', '2026-04-02T00:00:00Z', { likes_count: 4 }),
      post(tenant, 'p3', '2026-04-01T11:00:00Z', '2026-04-02T00:00:00Z', { impressions: 50 }),
    ]);
    expect(await rollup(tenant)).toEqual([
      {
        platform: 'linkedin',
        hour: '2026-04-01T10:00:00.000Z',
        posts: 2,
        likes_count: 14,
        likes_count_n: 2,
        reach_n: 0,
        engagements: 16,
        er_num: 12,
        er_den: 100,
        k: 1,
        e2: 144,
      },
      {
        platform: 'linkedin',
        hour: '2026-04-01T11:00:00.000Z',
        posts: 1,
        likes_count: 0,
        likes_count_n: 0,
        reach_n: 0,
        engagements: 0,
        er_num: 0,
        er_den: 50,
        k: 1,
        e2: 0,
      },
    ]);
  });

  it('replaces a post’s old totals with newer ones, ignores older and repeated ones, and follows a move', async () => {
    const tenant = randomUUID();
    const at = (observed: string, likes: number, published = '2026-04-02T08:10:00Z') =>
      post(tenant, 'm1', published, observed, { likes_count: likes, impressions: 100 });
    await store.writePostSnapshots([at('2026-04-03T00:00:00Z', 3)]);
    await store.writePostSnapshots([at('2026-04-03T06:00:00Z', 7)]);
    await store.writePostSnapshots([at('2026-04-03T06:00:00Z', 7), at('2026-04-03T01:00:00Z', 4)]);
    expect((await rollup(tenant)).map((r) => [r.hour, r.posts, r.likes_count])).toEqual([
      ['2026-04-02T08:00:00.000Z', 1, 7],
    ]);
    // The platform corrected the publication time (with a newer observation): the post changes hour.
    await store.writePostSnapshots([at('2026-04-03T07:00:00Z', 9, '2026-04-02T09:20:00Z')]);
    expect((await rollup(tenant)).map((r) => [r.hour, r.posts, r.likes_count, r.likes_count_n])).toEqual([
      ['2026-04-02T08:00:00.000Z', 0, 0, 0],
      ['2026-04-02T09:00:00.000Z', 1, 9, 1],
    ]);
    // Gains by hour of observation: the first counts from zero; the repeated one adds nothing, and the
    // older one arrived after a newer one and is not counted.
    expect(
      (await gains(tenant)).map((r) => [r.hour, r.previous_hour, r.observations, r.likes_count]),
    ).toEqual([
      ['2026-04-03T00:00:00.000Z', null, 1, 3],
      ['2026-04-03T06:00:00.000Z', '2026-04-03T00:00:00.000Z', 1, 4],
      ['2026-04-03T07:00:00.000Z', '2026-04-03T06:00:00.000Z', 1, 2],
    ]);
    // Moved to the next UTC day, the post leaves its day's row too.
    await store.writePostSnapshots([at('2026-04-03T08:00:00Z', 11, '2026-04-03T00:30:00Z')]);
    expect(await platformRows(tenant, daily)).toEqual([
      ['2026-04-02T00:00:00.000Z', 0, 0],
      ['2026-04-03T00:00:00.000Z', 1, 11],
    ]);
    expect(await dailyMismatches(tenant)).toEqual([]);
    expect(await dayHoursMismatches(tenant)).toEqual([]);
    // Moved back across the start of the UTC month, it leaves its month's row for the one before.
    await store.writePostSnapshots([at('2026-04-03T09:00:00Z', 12, '2026-03-31T23:40:00Z')]);
    expect(await platformRows(tenant, monthly)).toEqual([
      ['2026-03-01T00:00:00.000Z', 1, 12],
      ['2026-04-01T00:00:00.000Z', 0, 0],
    ]);
    expect(await dailyMismatches(tenant)).toEqual([]);
    expect(await monthlyMismatches(tenant)).toEqual([]);
  });

  it('copies the post’s publication time and content to its latest row, also when only the attributes change', async () => {
    const tenant = randomUUID();
    const copies = async () =>
      (
        await sql<{
          published_at: Date | null;
          content_type: string;
          text_length: number;
          hashtag_keys: string[];
          stale: number;
        }>`
          SELECT l.published_at, l.content_type, l.text_length, l.hashtag_keys,
            count(*) FILTER (WHERE ${latestPostRow('l')} IS DISTINCT FROM ${latestPostRow('p')}) OVER ()::int AS stale
          FROM post_metrics_latest l JOIN posts p USING (tenant_id, platform, platform_post_id)
          WHERE l.tenant_id = ${tenant}`.execute(t.db)
      ).rows;
    // The newest observation comes first and without the post's attributes…
    await store.writePostSnapshots([
      postEvent({
        tenant_id: tenant,
        platform_post_id: 'k1',
        observed_at: '2026-04-10T06:00:00Z',
        post: null,
      }),
    ]);
    expect(await copies()).toEqual([
      { published_at: null, content_type: null, text_length: null, hashtag_keys: null, stale: 0 },
    ]);
    // …an older one brings them: the totals stay the newer ones, the copies follow the post.
    const older = post(tenant, 'k1', '2026-04-09T08:00:00Z', '2026-04-10T05:00:00Z', { impressions: 50 });
    await store.writePostSnapshots([
      {
        ...older,
        post: {
          ...(older.post as NonNullable<typeof older.post>),
          content_type: 'video',
          content_text: 'hello #World 🌍',
          hashtags: ['World', 'world', 'news'],
        },
      },
    ]);
    expect(await copies()).toEqual([
      {
        published_at: new Date('2026-04-09T08:00:00Z'),
        content_type: 'video',
        text_length: 14,
        hashtag_keys: ['world', 'news'],
        stale: 0,
      },
    ]);
  });

  it('keeps each observation’s gain over the one before it, within a batch too, equal to a rebuild from the history', async () => {
    const tenant = randomUUID();
    const at = (id: string, observed: string, likes: number | null, impressions: number | null) =>
      post(tenant, id, '2026-04-07T08:00:00Z', observed, { likes_count: likes, impressions });
    // One batch holds three hours of g1 (as a consumer catching up reads them), out of order.
    await store.writePostSnapshots([
      at('g1', '2026-04-08T02:10:00Z', 9, 300),
      at('g1', '2026-04-08T00:10:00Z', 2, 100),
      at('g1', '2026-04-08T01:10:00Z', 5, 100),
      at('g2', '2026-04-08T01:20:00Z', null, 50),
    ]);
    await store.writePostSnapshots([
      at('g1', '2026-04-08T02:50:00Z', 10, 400),
      at('g2', '2026-04-08T03:00:00Z', 4, 80),
    ]);
    const kept = await gains(tenant);
    expect(
      kept.map((r) => [
        r.hour,
        r.previous_hour,
        r.observations,
        r.likes_count,
        r.likes_count_n,
        r.impressions,
        r.er_num,
        r.er_den,
      ]),
    ).toEqual([
      ['2026-04-08T00:00:00.000Z', null, 1, 2, 1, 100, 2, 100],
      ['2026-04-08T01:00:00.000Z', null, 1, 0, 0, 50, 0, 50],
      // g1 gained 3 likes but no impressions: its likes count, its rate parts do not.
      ['2026-04-08T01:00:00.000Z', '2026-04-08T00:00:00.000Z', 1, 3, 1, 0, 0, 0],
      ['2026-04-08T02:00:00.000Z', '2026-04-08T01:00:00.000Z', 1, 4, 1, 200, 4, 200],
      ['2026-04-08T02:00:00.000Z', '2026-04-08T02:00:00.000Z', 1, 1, 1, 100, 1, 100],
      // g2's likes were not reported before, so their gain is unknown; its impressions gained 30.
      ['2026-04-08T03:00:00.000Z', '2026-04-08T01:00:00.000Z', 1, 0, 0, 30, 0, 30],
    ]);
    await rebuildPostGains(t.db);
    expect(await gains(tenant)).toEqual(kept);
  });

  it('ends equal to a rebuild from the latest rows when two writers hit the same posts at once', async () => {
    const tenant = randomUUID();
    const at = (i: number, round: number, writer: number) => ({
      ...post(
        tenant,
        `c${i}`,
        // Hours 22 and 23 of one UTC day and hour 0 of the next: daily rows of two days.
        new Date(Date.UTC(2026, 3, 5, 22 + (i % 3), i)).toISOString(),
        new Date(Date.UTC(2026, 3, 6, round, writer)).toISOString(),
        {
          likes_count: round * 100 + writer * 10 + i,
          impressions: 1000 + round,
          reach: i % 7 === 0 ? null : i,
        },
      ),
      platform: i % 2 === 0 ? ('linkedin' as const) : ('twitter' as const),
    });
    // A second pool, as a second aggregator replica (or one that lost its partition but still writes) has.
    const other = new PostgresStore(
      createDb({ url: t.url, applicationName: 'replica-2', maxConnections: 2 }),
    );
    const ids = Array.from({ length: 20 }, (_, i) => i);
    for (let round = 1; round <= 15; round++) {
      await Promise.all([
        store.writePostSnapshots(ids.map((i) => at(i, round, 1))),
        other.writePostSnapshots(ids.map((i) => at(i, round, 2)).reverse()),
      ]);
    }
    // Redelivered and older observations change nothing.
    await store.writePostSnapshots(ids.map((i) => at(i, 3, 1)));
    const kept = await rollup(tenant);
    const keptContent = await contentRollup(tenant);
    expect(await allPlatformMismatches(tenant)).toEqual([]);
    expect(await dailyMismatches(tenant)).toEqual([]);
    expect(await monthlyMismatches(tenant)).toEqual([]);
    expect(await dayHoursMismatches(tenant)).toEqual([]);
    expect(await contentMismatches(tenant)).toEqual([]);
    await rebuildPostAnalytics(t.db);
    expect(await rollup(tenant)).toEqual(kept);
    expect(await contentRollup(tenant)).toEqual(keptContent);
    expect(kept.reduce((s, r) => s + r.posts, 0)).toBe(20);
    expect(kept.reduce((s, r) => s + r.likes_count, 0)).toBe(ids.reduce((s, i) => s + 1500 + 20 + i, 0));
    // Gains telescope to the latest totals, each post counted from zero once, whichever writer won.
    const gained = await gains(tenant);
    expect(gained.filter((r) => r.previous_hour === null).reduce((s, r) => s + r.observations, 0)).toBe(20);
    expect(gained.reduce((s, r) => s + r.likes_count, 0)).toBe(ids.reduce((s, i) => s + 1500 + 20 + i, 0));
  });
});

describe('content rollup kept by the write statement', () => {
  it('sums each day’s posts per content type, length bucket and hashtag, and moves a post whose content changed', async () => {
    const tenant = randomUUID();
    const p1 = (observed: string, likes: number) =>
      post(tenant, 'n1', '2026-05-01T10:00:00Z', observed, {
        likes_count: likes,
        comments_count: 2,
        impressions: 100,
      });
    const p2 = {
      ...withContent(post(tenant, 'n2', '2026-05-01T23:30:00Z', '2026-05-03T00:00:00Z', { likes_count: 4 }), {
        content_type: 'video',
        content_text: 'hi',
        hashtags: ['AI'],
      }),
      platform: 'twitter' as const,
    };
    // n3's first observation carries no attributes: its type is not known, its text and hashtags neither.
    const p3 = postEvent({
      tenant_id: tenant,
      platform_post_id: 'n3',
      observed_at: '2026-05-03T00:00:00Z',
      post: null,
      metrics: { ...emptyMetrics, impressions: 10 },
    });
    await store.writePostSnapshots([
      withContent(p1('2026-05-03T00:00:00Z', 10), {
        content_type: 'image',
        content_text: 'a'.repeat(60),
        hashtags: ['Launch', 'launch', 'ai'],
      }),
      p2,
      p3,
    ]);
    const all = async () => (await contentRollup(tenant)).rows.filter((r) => r[0] === 'all');
    // [platform, day, dimension, key, posts, likes, likes reported, impressions, er_num, er_den]
    expect(await all()).toEqual([
      ['all', '2026-05-01', 'length', '0-50', 1, 4, 1, 0, 0, 0],
      ['all', '2026-05-01', 'length', '51-100', 1, 10, 1, 100, 12, 100],
      ['all', '2026-05-01', 'tag', 'ai', 2, 14, 2, 100, 12, 100],
      ['all', '2026-05-01', 'tag', 'launch', 1, 10, 1, 100, 12, 100],
      ['all', '2026-05-01', 'type', 'image', 1, 10, 1, 100, 12, 100],
      ['all', '2026-05-01', 'type', 'video', 1, 4, 1, 0, 0, 0],
    ]);
    // n3's publication time is not known yet: it is in no day.
    expect((await contentRollup(tenant)).rows.some((r) => r[1] === '2026-05-03')).toBe(false);
    // n1 becomes a longer video without the launch tag, with more likes; n3 gets its attributes from an
    // older observation; n2 is refreshed with the same totals (nothing to write).
    await store.writePostSnapshots([
      withContent(p1('2026-05-04T00:00:00Z', 20), {
        content_type: 'video',
        content_text: 'b'.repeat(300),
        hashtags: ['AI'],
      }),
      withContent(post(tenant, 'n3', '2026-05-02T01:00:00Z', '2026-05-02T12:00:00Z', { impressions: 5 }), {
        content_type: 'link',
        content_text: 'c'.repeat(501),
        hashtags: ['ai', 'news'],
      }),
      { ...p2, observed_at: '2026-05-04T00:00:00Z' },
    ]);
    expect(await all()).toEqual([
      ['all', '2026-05-01', 'length', '0-50', 1, 4, 1, 0, 0, 0],
      ['all', '2026-05-01', 'length', '201-500', 1, 20, 1, 100, 22, 100],
      ['all', '2026-05-01', 'tag', 'ai', 2, 24, 2, 100, 22, 100],
      ['all', '2026-05-01', 'type', 'video', 2, 24, 2, 100, 22, 100],
      // n3 keeps its newer totals (10 impressions, no likes reported).
      ['all', '2026-05-02', 'length', '501+', 1, 0, 0, 10, 0, 10],
      ['all', '2026-05-02', 'tag', 'ai', 1, 0, 0, 10, 0, 10],
      ['all', '2026-05-02', 'tag', 'news', 1, 0, 0, 10, 0, 10],
      ['all', '2026-05-02', 'type', 'link', 1, 0, 0, 10, 0, 10],
    ]);
    const kept = await contentRollup(tenant);
    expect(kept.strayZeros).toBe(0);
    expect(await contentMismatches(tenant)).toEqual([]);
    await rebuildPostAnalytics(t.db);
    expect(await contentRollup(tenant)).toEqual(kept);
  });
});
