import type { AccountMetricsSnapshot, Platform, PostMetricsSnapshot } from '@postpulse/contracts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { contentPerformance } from '../src/domain/content.js';
import type { platformComparison } from '../src/domain/platform-comparison.js';
import type { postDetail } from '../src/domain/post-detail.js';
import type { listPosts } from '../src/domain/posts.js';
import { periodStart, resolveRange } from '../src/domain/time.js';
import type { PostCard } from '../src/domain/top-posts.js';
import type { trends } from '../src/domain/trends.js';
import type { Overview } from '../src/routes/analytics/overview.js';
import type { bestTimesSchema } from '../src/routes/analytics/schema.js';
import {
  type ExpectedPost,
  expectedActivityRateByDay,
  expectedFollowerGrowth,
  expectedLengthRateRho,
  expectedLikesGainedByDay,
  expectedPostsObservedByDay,
  expectedSummary,
  inLocalRange,
  latestPosts,
  localTime,
  localWeekdayHour,
  postRate,
} from './expected.js';
import { accountEvent, prng, tenantData } from './fixtures.js';
import { bodyOf, createHarness, errorOf, type Harness } from './harness.js';

type BestTimes = z.infer<typeof bestTimesSchema>;
type Trends = Awaited<ReturnType<typeof trends>>;
type Comparison = Awaited<ReturnType<typeof platformComparison>>;
type Content = Awaited<ReturnType<typeof contentPerformance>>;
type PostDetail = Awaited<ReturnType<typeof postDetail>>;
type PostPage = Awaited<ReturnType<typeof listPosts>>;

// Numbers end to end: events → Kafka → the real aggregator → Postgres + ClickHouse → the API, compared with
// totals computed here from the same events.
const NOW = new Date('2026-04-01T10:00:00Z');
const TZ = 'Europe/Berlin'; // DST starts 2026-03-29 inside the range
const START = '2026-03-01';
const END = '2026-03-31';
const range = `start_date=${START}&end_date=${END}`;

let h: Harness;
let a: { id: string; key: string };
let b: { id: string; key: string };
let expectedA: ExpectedPost[];
let inRangeA: ExpectedPost[];
let postsA: PostMetricsSnapshot[];

beforeAll(async () => {
  h = await createHarness({ now: NOW });
  a = await h.tenant('Analytics A', { timezone: TZ });
  b = await h.tenant('Analytics B');
  const dataA = tenantData({
    tenantId: a.id,
    marker: 'ana',
    count: 80,
    start: Date.UTC(2026, 1, 20),
    days: 42,
    seed: 7,
  });
  const dataB = tenantData({
    tenantId: b.id,
    marker: 'anb',
    count: 20,
    start: Date.UTC(2026, 2, 1),
    days: 30,
    seed: 9,
  });
  const accounts = [
    accountEvent(a.id, 'linkedin', 'ana-acct-linkedin', '2026-02-25T12:00:00Z', 1000),
    accountEvent(a.id, 'linkedin', 'ana-acct-linkedin', '2026-03-10T12:00:00Z', 1100),
    accountEvent(a.id, 'linkedin', 'ana-acct-linkedin', '2026-03-31T12:00:00Z', 1250),
    accountEvent(a.id, 'twitter', 'ana-acct-twitter', '2026-03-05T12:00:00Z', 500),
    accountEvent(a.id, 'twitter', 'ana-acct-twitter', '2026-03-20T12:00:00Z', 480),
  ];
  await h.ingest([...dataA.posts, ...dataB.posts], accounts);
  postsA = dataA.posts;
  expectedA = latestPosts(dataA.posts, TZ);
  inRangeA = expectedA.filter((p) => inLocalRange(p, START, END));
});
afterAll(async () => {
  await h?.close();
});

async function json<T>(res: Response): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(200);
  return bodyOf<T>(res);
}

describe('GET /analytics/overview', () => {
  it('prepares one rollup statement per form, whatever the range, zone or tenant', async () => {
    const prepared = async () => {
      const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(
        h.deps.genericPlanDb,
      );
      return rows
        .filter((r) => r.statement.includes('post_rollup_hourly'))
        .map((r) => r.statement)
        .sort();
    };
    const overview = (query: string, key: string) => h.get(`/api/v1/analytics/overview?${query}`, key);
    // Whole UTC months in neither the period nor the one before; only in the one before (New York's
    // February is all of February in UTC); in both (tenant B's zone is UTC).
    await json(await overview(range, a.key));
    await json(await overview(`${range}&tz=America/New_York`, a.key));
    await json(await overview(range, b.key));
    const forms = await prepared();
    expect(forms).toHaveLength(3);
    // Other values of the same forms prepare nothing more.
    await json(await overview('start_date=2026-03-03&end_date=2026-03-20', a.key));
    await json(await overview('start_date=2026-03-02&end_date=2026-03-31&tz=America/New_York', a.key));
    await json(await overview('start_date=2026-02-01&end_date=2026-03-31', b.key));
    expect(await prepared()).toEqual(forms);
  });

  it('reads whole UTC months from the monthly rollup: same totals, one more statement for every such range', async () => {
    const prepared = async () => {
      const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(
        h.deps.genericPlanDb,
      );
      return rows.filter((r) => r.statement.includes('post_rollup_monthly')).map((r) => r.statement);
    };
    const before = (await prepared()).length;
    // Berlin's 2026-02-25 to 2026-04-01 holds the UTC days from February 25 to March 31: March whole.
    for (const [start, end] of [
      ['2026-02-25', '2026-04-01'],
      ['2026-02-27', '2026-04-01'],
    ] as const) {
      const body = await json<Overview>(
        await h.get(`/api/v1/analytics/overview?start_date=${start}&end_date=${end}`, a.key),
      );
      const posts = expectedA.filter((p) => inLocalRange(p, start, end));
      expect(posts.some((p) => p.published_at.startsWith('2026-03-1'))).toBe(true);
      expect(body.summary).toMatchObject(expectedSummary(posts));
      for (const row of body.by_platform) {
        expect(row).toMatchObject(expectedSummary(posts.filter((p) => p.platform === row.platform)));
      }
    }
    expect(await prepared()).toHaveLength(before + 1);
  });

  it('matches totals computed from the events, for the period and the one before', async () => {
    const body = await json<Overview>(await h.get(`/api/v1/analytics/overview?${range}`, a.key));
    expect(inRangeA.length).toBeGreaterThan(40);
    expect(body.period).toEqual({ start: START, end: END, timezone: TZ });
    expect(body.summary).toEqual({
      ...expectedSummary(inRangeA),
      total_engagements: expect.any(Number),
      follower_growth: 250 - 20,
    });
    const prev = expectedA.filter((p) => inLocalRange(p, '2026-01-29', '2026-02-28'));
    expect(prev.length).toBeGreaterThan(0);
    expect(body.previous_period.summary).toMatchObject(expectedSummary(prev));
    const cur = expectedSummary(inRangeA).total_likes ?? 0;
    const before = expectedSummary(prev).total_likes ?? 1;
    expect(body.previous_period.change_pct.total_likes).toBe(
      Math.round(((cur - before) / before) * 10000) / 100,
    );
  });

  it('breaks totals down by platform with each platform’s share of posts', async () => {
    const body = await json<Overview>(await h.get(`/api/v1/analytics/overview?${range}`, a.key));
    for (const row of body.by_platform) {
      const posts = inRangeA.filter((p) => p.platform === row.platform);
      expect(row).toMatchObject(expectedSummary(posts));
      expect(row.share_of_posts).toBe(Math.round((posts.length / inRangeA.length) * 10000) / 100);
    }
    expect(body.by_platform.map((r) => r.platform).sort()).toEqual(
      [...new Set(inRangeA.map((p) => p.platform))].sort(),
    );
    expect(body.trends).toHaveLength(31);
    expect(body.data_freshness).toHaveLength(4);
  });

  it('sums whole UTC days with the hours at both ends, and ranges with no whole UTC day, per platform too', async () => {
    // A Tokyo day is 15:00–15:00 UTC: its first nine hours and its last fifteen lie in partial UTC days.
    const tz = 'Asia/Tokyo';
    const tokyo = (p: ExpectedPost) => localTime(p.published_at, tz);
    for (const [from, to] of [
      ['2026-03-16', '2026-03-17'],
      ['2026-03-16', '2026-03-16'],
    ] as const) {
      const body = await json<Overview>(
        await h.get(`/api/v1/analytics/overview?start_date=${from}&end_date=${to}&tz=${tz}`, a.key),
      );
      const posts = expectedA.filter((p) => tokyo(p).slice(0, 10) >= from && tokyo(p).slice(0, 10) <= to);
      // Posts in the hours at both ends, so leaving either out would show.
      expect(posts.some((p) => tokyo(p).startsWith(from) && tokyo(p).slice(11, 13) < '09')).toBe(true);
      expect(posts.some((p) => tokyo(p).startsWith(to) && tokyo(p).slice(11, 13) >= '09')).toBe(true);
      expect(body.summary).toMatchObject(expectedSummary(posts));
      for (const row of body.by_platform) {
        expect(row).toMatchObject(expectedSummary(posts.filter((p) => p.platform === row.platform)));
      }
    }
  });

  it('lists the period’s first five by engagement rate, from whole UTC days and the hours at both ends', async () => {
    const tz = 'Asia/Tokyo';
    const text = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    let fromPartialDays = 0;
    for (const [from, to] of [
      ['2026-03-02', '2026-03-30'],
      ['2026-03-16', '2026-03-17'],
      ['2026-03-16', '2026-03-16'],
    ] as const) {
      for (const platform of [undefined, 'linkedin'] as const) {
        const filter = platform ? `&platform=${platform}` : '';
        const body = await json<Overview>(
          await h.get(
            `/api/v1/analytics/overview?start_date=${from}&end_date=${to}&tz=${tz}${filter}`,
            a.key,
          ),
        );
        const expected = expectedA
          .filter((p) => {
            const day = localTime(p.published_at, tz).slice(0, 10);
            return day >= from && day <= to && postRate(p) !== null && (!platform || p.platform === platform);
          })
          .sort(
            (x, y) =>
              (postRate(y) ?? 0) - (postRate(x) ?? 0) ||
              Date.parse(y.published_at) - Date.parse(x.published_at) ||
              text(x.platform, y.platform) ||
              text(x.platform_post_id, y.platform_post_id),
          )
          .slice(0, 5);
        expect(body.top_posts.map((p) => `${p.platform}:${p.platform_post_id}`)).toEqual(
          expected.map((p) => `${p.platform}:${p.platform_post_id}`),
        );
        expect(body.top_posts.map((p) => p.engagement_rate)).toEqual(
          expected.map((p) => Math.round(((postRate(p) ?? 0) + Number.EPSILON) * 100) / 100),
        );
        // A Tokyo day starts at 15:00 UTC, so the range's first and last UTC days are partial.
        fromPartialDays += expected.filter(
          (p) => p.published_at.slice(0, 10) < from || p.published_at.slice(0, 10) >= to,
        ).length;
      }
    }
    // Leaving out the posts of the partial days would show.
    expect(fromPartialDays).toBeGreaterThan(0);
  });

  it('filters by platform', async () => {
    const body = await json<Overview>(
      await h.get(`/api/v1/analytics/overview?${range}&platform=twitter`, a.key),
    );
    expect(body.summary).toMatchObject(expectedSummary(inRangeA.filter((p) => p.platform === 'twitter')));
  });

  it('reads dates in the tz parameter when given', async () => {
    const body = await json<Overview>(
      await h.get(`/api/v1/analytics/overview?${range}&tz=America/Los_Angeles`, a.key),
    );
    const la = latestPosts(
      expectedA.flatMap((p) => p.observations),
      'America/Los_Angeles',
    ).filter((p) => inLocalRange(p, START, END));
    expect(body.summary.total_posts).toBe(la.length);
  });

  // +5:30 all year: UTC hours are not local hours, so the hourly rollup cannot be used and every number
  // comes from the posts themselves. It must agree with the same independent computation.
  it('gives the same numbers in a zone with a half-hour offset (read per post, not from hourly rollups)', async () => {
    const kolkata = latestPosts(
      expectedA.flatMap((p) => p.observations),
      'Asia/Kolkata',
    ).filter((p) => inLocalRange(p, START, END));
    const body = await json<Overview>(
      await h.get(`/api/v1/analytics/overview?${range}&tz=Asia/Kolkata`, a.key),
    );
    expect(body.summary).toMatchObject(expectedSummary(kolkata));
    for (const row of body.by_platform) {
      expect(row).toMatchObject(expectedSummary(kolkata.filter((p) => p.platform === row.platform)));
    }
    const days = await json<Trends>(
      await h.get(`/api/v1/analytics/trends?${range}&metric=posts&tz=Asia/Kolkata`, a.key),
    );
    for (const point of days.points) {
      expect(point.posts, point.period_start).toBe(
        kolkata.filter((p) => p.local.startsWith(point.period_start)).length,
      );
    }
    const times = await json<BestTimes>(
      await h.get(`/api/v1/analytics/best-times?days=60&tz=Asia/Kolkata`, a.key),
    );
    const recent = latestPosts(
      expectedA.flatMap((p) => p.observations),
      'Asia/Kolkata',
    ).filter((p) => inLocalRange(p, times.period.start, times.period.end));
    for (const cell of times.grid) {
      const n = recent.filter((p) => {
        const w = localWeekdayHour(p);
        return w.day === cell.day_of_week && w.hour === cell.hour_of_day;
      }).length;
      expect(cell.posts, `${cell.day_of_week} ${cell.hour_of_day}`).toBe(n);
    }
  });
});

describe('GET /analytics/top-posts', () => {
  it('ranks by engagement rate with deterministic ties', async () => {
    const body = await json<{ data: PostCard[] }>(
      await h.get(`/api/v1/analytics/top-posts?${range}&limit=50`, a.key),
    );
    const expected = inRangeA
      .filter((p) => postRate(p) !== null)
      .sort(
        (x, y) =>
          (postRate(y) ?? 0) - (postRate(x) ?? 0) || Date.parse(y.published_at) - Date.parse(x.published_at),
      )
      .slice(0, 50)
      .map((p) => p.platform_post_id);
    expect(body.data.map((p) => p.platform_post_id)).toEqual(expected);
  });

  it('ranks by likes_count', async () => {
    const body = await json<{ data: PostCard[] }>(
      await h.get(`/api/v1/analytics/top-posts?${range}&metric=likes_count&limit=5`, a.key),
    );
    const likes = inRangeA.map((p) => p.latest.likes_count ?? 0).sort((x, y) => y - x);
    expect(body.data.map((p) => p.likes_count)).toEqual(likes.slice(0, 5));
  });
});

describe('GET /analytics/best-times', () => {
  it('places posts by local weekday and hour and states the minimum for recommendations', async () => {
    const body = await json<BestTimes>(await h.get('/api/v1/analytics/best-times?days=60', a.key));
    const from = '2026-02-01';
    const posts = expectedA.filter((p) => inLocalRange(p, from, '2026-04-01'));
    expect(body.period).toEqual({ start: from, end: '2026-04-01', timezone: TZ });
    expect(body.grid).toHaveLength(168);
    for (const cell of body.grid) {
      const n = posts.filter((p) => {
        const w = localWeekdayHour(p);
        return w.day === cell.day_of_week && w.hour === cell.hour_of_day;
      }).length;
      expect(cell.posts, `${cell.day_of_week} ${cell.hour_of_day}`).toBe(n);
    }
    expect(body.min_posts_per_slot).toBe(5);
    for (const r of body.recommendations) expect(r.posts_with_impressions).toBeGreaterThanOrEqual(5);
    expect(body.by_day_of_week.reduce((s, d) => s + d.posts, 0)).toBe(posts.length);
  });
});

describe('GET /analytics/trends', () => {
  it('basis=published groups posts by local publication day', async () => {
    const body = await json<Trends>(await h.get(`/api/v1/analytics/trends?${range}&metric=posts`, a.key));
    expect(body.basis).toBe('published');
    for (const p of body.points) {
      expect(p.value).toBe(inRangeA.filter((x) => x.local.slice(0, 10) === p.period_start).length);
    }
  });

  it('basis=activity gives what was gained per day, from snapshot deltas', async () => {
    const body = await json<Trends>(
      await h.get(`/api/v1/analytics/trends?${range}&metric=likes_count&basis=activity`, a.key),
    );
    expect(body.basis).toBe('activity');
    expect(body.basis_description).toMatch(/gained/);
    const expected = expectedLikesGainedByDay(expectedA, TZ, START, END);
    const observed = expectedPostsObservedByDay(expectedA, TZ, START, END);
    expect(observed.size).toBeGreaterThan(10);
    for (const p of body.points) {
      expect(p.value, p.period_start).toBe(expected.get(p.period_start) ?? 0);
      expect(p.posts, p.period_start).toBe(observed.get(p.period_start) ?? 0);
    }
  });

  it('basis=activity engagement_rate divides gained engagements by gained impressions', async () => {
    const body = await json<Trends>(
      await h.get(`/api/v1/analytics/trends?${range}&metric=engagement_rate&basis=activity`, a.key),
    );
    const expected = expectedActivityRateByDay(expectedA, TZ, START, END);
    expect(expected.size).toBeGreaterThan(10);
    for (const p of body.points) expect(p.value, p.period_start).toBe(expected.get(p.period_start) ?? null);
  });

  it('basis=activity weekly sums the daily gains of the range', async () => {
    const body = await json<Trends>(
      await h.get(`/api/v1/analytics/trends?${range}&metric=likes_count&basis=activity&period=weekly`, a.key),
    );
    const daily = expectedLikesGainedByDay(expectedA, TZ, START, END);
    const total = [...daily.values()].reduce((x, y) => x + y, 0);
    expect(body.points.reduce((s, p) => s + (p.value ?? 0), 0)).toBe(total);
    expect(body.points[0]?.period_start).toBe('2026-02-23');
  });

  it('basis=published sums each local day, week and month exactly, east and west of UTC and across DST', async () => {
    // 2026-02-16 … 2026-04-05 holds all of tenant A's posts, and DST starts in New York (03-08) and Berlin (03-29).
    const [start, end] = ['2026-02-16', '2026-04-05'];
    const zones = [
      'Europe/Berlin',
      'America/New_York',
      'Asia/Tokyo',
      'Pacific/Kiritimati',
      'America/Sao_Paulo',
      'UTC',
    ];
    for (const tz of zones) {
      for (const platform of [undefined, 'linkedin'] as const) {
        const posts = latestPosts(postsA, tz).filter(
          (p) => inLocalRange(p, start, end) && (!platform || p.platform === platform),
        );
        expect(posts.length).toBeGreaterThan(platform ? 5 : 60);
        for (const period of ['daily', 'weekly', 'monthly'] as const) {
          for (const metric of ['likes_count', 'engagement_rate'] as const) {
            const query = `start_date=${start}&end_date=${end}&tz=${tz}&period=${period}&metric=${metric}`;
            const body = await json<Trends>(
              await h.get(
                `/api/v1/analytics/trends?${query}${platform ? `&platform=${platform}` : ''}`,
                a.key,
              ),
            );
            for (const p of body.points) {
              const inPeriod = posts.filter(
                (x) => periodStart(x.local.slice(0, 10), period) === p.period_start,
              );
              const expected = expectedSummary(inPeriod);
              const label = `${query} ${platform ?? ''} ${p.period_start}`;
              expect(p.posts, label).toBe(inPeriod.length);
              expect(p.value, label).toBe(
                metric === 'likes_count' ? expected.total_likes : expected.avg_engagement_rate,
              );
            }
          }
        }
      }
    }
  });

  it('weekly periods start on Monday', async () => {
    const body = await json<Trends>(
      await h.get(`/api/v1/analytics/trends?${range}&period=weekly&metric=posts`, a.key),
    );
    expect(body.points[0]?.period_start).toBe('2026-02-23');
    expect(body.points.reduce((s, p) => s + (p.value ?? 0), 0)).toBe(inRangeA.length);
  });
});

describe('GET /analytics/platform-comparison', () => {
  it('ranks platforms by engagement rate and derives insights from the numbers', async () => {
    const body = await json<Comparison>(await h.get(`/api/v1/analytics/platform-comparison?${range}`, a.key));
    const rates = body.platforms.map((p) => ({
      platform: p.platform,
      rate: expectedSummary(inRangeA.filter((x) => x.platform === p.platform)).avg_engagement_rate,
    }));
    const best = [...rates].sort((x, y) => (y.rate ?? 0) - (x.rate ?? 0))[0];
    expect(body.ranking[0]?.platform).toBe(best?.platform);
    expect(body.insights.length).toBeGreaterThan(0);
    expect(body.insights.join(' ')).toContain(`(${best?.rate}%)`);
  });
});

describe('GET /analytics/content', () => {
  it('groups by content type and hashtag (case-insensitive, with a minimum) and correlates length', async () => {
    const body = await json<Content>(await h.get(`/api/v1/analytics/content?${range}`, a.key));
    for (const t of body.by_content_type) {
      expect(t.posts).toBe(inRangeA.filter((p) => p.content_type === t.content_type).length);
    }
    const growth = inRangeA.filter((p) => p.hashtags.some((x) => x.toLowerCase() === 'growth'));
    const row = body.by_hashtag.hashtags.find((x) => x.hashtag === 'growth');
    expect(row?.posts).toBe(growth.length);
    expect(row?.avg_engagement_rate).toBe(expectedSummary(growth).avg_engagement_rate);
    expect(body.by_hashtag.min_posts).toBe(3);
    expect(body.by_text_length.reduce((s, b) => s + b.posts, 0)).toBe(inRangeA.length);
    expect(body.length_engagement_correlation.posts).toBe(
      inRangeA.filter((p) => postRate(p) !== null).length,
    );
    expect(body.length_engagement_correlation.rho).toBe(expectedLengthRateRho(inRangeA));
  });

  it('counts the posts of the hours at the range’s ends, outside its whole UTC days, once', async () => {
    // The range's last local day ends at 22:00 UTC (CEST): its posts are not in a whole UTC day.
    const atEnd = inRangeA.filter((p) => p.published_at >= '2026-03-31T00:00:00');
    expect(atEnd.length).toBeGreaterThan(0);
    for (const platform of ['twitter', 'instagram']) {
      const posts = inRangeA.filter((p) => p.platform === platform);
      const body = await json<Content>(
        await h.get(`/api/v1/analytics/content?${range}&platform=${platform}`, a.key),
      );
      for (const t of body.by_content_type) {
        const ofType = posts.filter((p) => p.content_type === t.content_type);
        expect(t.posts).toBe(ofType.length);
        expect(t.avg_engagement_rate).toBe(expectedSummary(ofType).avg_engagement_rate);
        expect(t.total_likes).toBe(expectedSummary(ofType).total_likes);
      }
      expect(body.by_content_type.reduce((s, t) => s + t.posts, 0)).toBe(posts.length);
      expect(body.by_text_length.reduce((s, b) => s + b.posts, 0)).toBe(posts.length);
      expect(body.length_engagement_correlation.rho).toBe(expectedLengthRateRho(posts));
    }
  });
});

describe('follower growth', () => {
  const accounts: AccountMetricsSnapshot[] = [];
  let g: { id: string; key: string };
  const GROWTH_TZ = 'America/New_York';
  beforeAll(async () => {
    g = await h.tenant('Growth G', { timezone: GROWTH_TZ });
    const rnd = prng(11);
    const add = (platform: Platform, account: string, ms: number, followers: number | null) =>
      accounts.push({
        ...accountEvent(g.id, platform, account, new Date(ms).toISOString(), 0),
        metrics: { followers_count: followers, following_count: null, posts_count: null },
      });
    const start = Date.UTC(2026, 1, 10);
    for (const [platform, account, n] of [
      ['linkedin', 'g-li', 40],
      ['twitter', 'g-tw', 25],
      ['instagram', 'g-ig', 6],
    ] as const) {
      let followers = 1000;
      for (let i = 0; i < n; i++) {
        followers += Math.round((rnd() - 0.3) * 50);
        add(platform, account, start + Math.floor(rnd() * 49 * 86_400_000), rnd() < 0.1 ? null : followers);
      }
    }
    // Observations exactly at the bounds: UTC midnights and local midnights, which a range includes at its
    // start and excludes at its end, and a burst within one UTC day.
    add('linkedin', 'g-li', Date.UTC(2026, 2, 10), 5000);
    add('linkedin', 'g-li', Date.UTC(2026, 2, 10, 5), 5100); // 2026-03-10 00:00 in New York
    add('twitter', 'g-tw', Date.UTC(2026, 2, 21, 4), 7000); // 2026-03-21 00:00 in New York (EDT)
    for (let m = 0; m < 5; m++) add('instagram', 'g-ig', Date.UTC(2026, 2, 15, 13, m * 7), 900 + m);
    await h.ingest([], accounts);
  });

  it('equals the growth computed from the events, for any range and zone, and for the previous period', async () => {
    const ranges = [
      ['2026-03-01', '2026-03-31'],
      ['2026-03-10', '2026-03-10'],
      ['2026-03-09', '2026-03-20'],
      ['2026-03-15', '2026-03-15'],
      ['2026-03-21', '2026-03-25'],
      ['2026-02-01', '2026-02-12'],
      ['2026-01-01', '2026-01-31'],
    ];
    let known = 0;
    for (const tz of [GROWTH_TZ, 'Europe/Berlin', 'Asia/Kolkata']) {
      for (const [start, end] of ranges) {
        const res = await h.get(
          `/api/v1/analytics/overview?start_date=${start}&end_date=${end}&tz=${encodeURIComponent(tz)}`,
          g.key,
        );
        const body = await json<Overview>(res);
        const current = resolveRange({ start_date: start, end_date: end }, tz, NOW);
        const days = (Date.parse(end ?? '') - Date.parse(start ?? '')) / 86_400_000 + 1;
        const previous = resolveRange(
          {
            start_date: new Date(Date.parse(start ?? '') - days * 86_400_000).toISOString().slice(0, 10),
            end_date: new Date(Date.parse(start ?? '') - 86_400_000).toISOString().slice(0, 10),
          },
          tz,
          NOW,
        );
        const label = `${start}..${end} ${tz}`;
        expect(body.summary.follower_growth, label).toBe(
          expectedFollowerGrowth(accounts, current.from, current.to),
        );
        expect(body.previous_period.summary.follower_growth, label).toBe(
          expectedFollowerGrowth(accounts, previous.from, previous.to),
        );
        if (body.summary.follower_growth !== null) known++;
      }
    }
    expect(known).toBeGreaterThan(10);
  });
});

describe('GET /analytics/posts/{post_id}', () => {
  it('returns the latest metrics and the hourly history, by our id and by platform:platform_post_id', async () => {
    const target = inRangeA.find((p) => p.latest.impressions !== null && p.latest.clicks !== null);
    if (!target) throw new Error('fixture has no complete post');
    const byNatural = await json<PostDetail>(
      await h.get(`/api/v1/analytics/posts/${target.platform}:${target.platform_post_id}`, a.key),
    );
    expect(byNatural.analytics).toMatchObject({
      likes_count: target.latest.likes_count,
      impressions: target.latest.impressions,
      clicks: target.latest.clicks,
      engagement_rate: Math.round((postRate(target) ?? 0) * 100) / 100,
      click_through_rate:
        Math.round(((target.latest.clicks ?? 0) / (target.latest.impressions ?? 1)) * 10000) / 100,
    });
    expect(byNatural.history.points.map((p) => p.likes_count)).toEqual(
      target.observations.map((o) => o.metrics.likes_count),
    );
    const byId = await json<PostDetail>(await h.get(`/api/v1/analytics/posts/${byNatural.id}`, a.key));
    expect(byId).toEqual(byNatural);
  });

  it('is 404 for an unknown post and 400 for a malformed id', async () => {
    expect((await h.get('/api/v1/analytics/posts/linkedin:nope', a.key)).status).toBe(404);
    expect((await h.get('/api/v1/analytics/posts/00000000-0000-4000-8000-000000000000', a.key)).status).toBe(
      404,
    );
    const bad = await h.get('/api/v1/analytics/posts/myspace:1', a.key);
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).error.message).toMatch(/post_id/);
  });
});

describe('GET /posts', () => {
  it('pages through every post newest first without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { platform_post_id: string }[]; next_cursor: string | null } = await json<PostPage>(
        await h.get(`/api/v1/posts?limit=7${cursor ? `&cursor=${cursor}` : ''}`, a.key),
      );
      seen.push(...page.data.map((p) => p.platform_post_id));
      cursor = page.next_cursor;
    } while (cursor);
    const expected = [...expectedA]
      .sort((x, y) => Date.parse(y.published_at) - Date.parse(x.published_at))
      .map((p) => p.platform_post_id);
    expect(seen).toEqual(expected);
  });

  it('rejects a malformed cursor naming the parameter', async () => {
    const res = await h.get('/api/v1/posts?cursor=garbage', a.key);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).error.message).toMatch(/cursor/);
  });
});
