import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@postpulse/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, rebuildPostAnalytics, refreshPostAnalytics } from '../src/index.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

interface Post {
  id: string;
  published_at: string;
  platform?: string;
  likes: number | null;
  comments: number | null;
  impressions: number | null;
}

async function writePosts(tenant: string, posts: readonly Post[]): Promise<void> {
  for (const p of posts) {
    const platform = p.platform ?? 'linkedin';
    await t.db
      .insertInto('posts')
      .values({
        tenant_id: tenant,
        platform,
        platform_post_id: p.id,
        account_id: 'a',
        published_at: p.published_at,
      })
      .onConflict((c) =>
        c
          .columns(['tenant_id', 'platform', 'platform_post_id'])
          .doUpdateSet({ published_at: p.published_at }),
      )
      .execute();
    const metrics = { likes_count: p.likes, comments_count: p.comments, impressions: p.impressions };
    await t.db
      .insertInto('post_metrics_latest')
      .values({
        tenant_id: tenant,
        platform,
        platform_post_id: p.id,
        observed_at: '2026-05-01T00:00:00Z',
        event_id: randomUUID(),
        account_id: 'a',
        reach: null,
        clicks: null,
        shares_count: null,
        saves_count: null,
        reactions_count: null,
        retweets_count: null,
        quote_tweets_count: null,
        video_views: null,
        video_watch_time: null,
        ...metrics,
      })
      .onConflict((c) => c.columns(['tenant_id', 'platform', 'platform_post_id']).doUpdateSet(metrics))
      .execute();
  }
}

const keys = (tenant: string, posts: readonly Post[]) =>
  posts.map((p) => ({ tenant_id: tenant, platform: p.platform ?? 'linkedin', platform_post_id: p.id }));
const observed = (tenant: string) => [
  { tenant_id: tenant, platform: 'linkedin', observed_at: new Date('2026-05-01T00:00:00Z') },
];

async function rollup(tenant: string) {
  const rows = await t.db
    .selectFrom('post_rollup_hourly')
    .select([
      'platform',
      'hour',
      'posts',
      'likes_count',
      'engagements',
      'er_num',
      'er_den',
      'k',
      'e2',
      'max_er',
    ])
    .where('tenant_id', '=', tenant)
    .orderBy('hour')
    .orderBy('platform')
    .execute();
  return rows.map((r) => ({ ...r, hour: new Date(r.hour).toISOString() }));
}

describe('hourly rollup of the latest totals', () => {
  it('sums each hour’s posts, with null for a metric no post reported and rates only over known impressions', async () => {
    const tenant = randomUUID();
    const posts: Post[] = [
      { id: 'p1', published_at: '2026-04-01T10:05:00Z', likes: 10, comments: 2, impressions: 100 },
      { id: 'p2', published_at: '2026-04-01T10:59:59Z', likes: 4, comments: null, impressions: null },
      { id: 'p3', published_at: '2026-04-01T11:00:00Z', likes: null, comments: null, impressions: 50 },
      {
        id: 'p4',
        published_at: '2026-04-01T10:30:00Z',
        platform: 'twitter',
        likes: 1,
        comments: 1,
        impressions: 20,
      },
    ];
    await writePosts(tenant, posts);
    await refreshPostAnalytics(t.db, keys(tenant, posts), observed(tenant));
    expect(await rollup(tenant)).toEqual([
      {
        platform: 'linkedin',
        hour: '2026-04-01T10:00:00.000Z',
        posts: 2,
        likes_count: 14,
        engagements: 16,
        er_num: 12,
        er_den: 100,
        k: 1,
        e2: 144,
        max_er: 0.12,
      },
      {
        platform: 'twitter',
        hour: '2026-04-01T10:00:00.000Z',
        posts: 1,
        likes_count: 1,
        engagements: 2,
        er_num: 2,
        er_den: 20,
        k: 1,
        e2: 4,
        max_er: 0.1,
      },
      {
        platform: 'linkedin',
        hour: '2026-04-01T11:00:00.000Z',
        posts: 1,
        likes_count: null,
        engagements: null,
        er_num: 0,
        er_den: 50,
        k: 1,
        e2: 0,
        max_er: 0,
      },
    ]);
    const freshness = await t.db
      .selectFrom('post_freshness')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .execute();
    expect(freshness.map((f) => [f.platform, new Date(f.last_observed_at).toISOString()])).toEqual([
      ['linkedin', '2026-05-01T00:00:00.000Z'],
    ]);
  });

  it('moves a post whose publication time changed, leaving its old hour empty, and repeats idempotently', async () => {
    const tenant = randomUUID();
    const post: Post = {
      id: 'm1',
      published_at: '2026-04-02T08:10:00Z',
      likes: 3,
      comments: 0,
      impressions: 30,
    };
    await writePosts(tenant, [post]);
    await refreshPostAnalytics(t.db, keys(tenant, [post]), observed(tenant));
    const moved = { ...post, published_at: '2026-04-02T09:20:00Z', likes: 5 };
    await writePosts(tenant, [moved]);
    for (let i = 0; i < 2; i++) await refreshPostAnalytics(t.db, keys(tenant, [moved]), observed(tenant));
    const rows = await rollup(tenant);
    expect(rows.map((r) => [r.hour, r.posts, r.likes_count])).toEqual([
      ['2026-04-02T08:00:00.000Z', 0, null],
      ['2026-04-02T09:00:00.000Z', 1, 5],
    ]);
  });

  it('ends right when replicas refresh the same hour concurrently after writing different posts', async () => {
    const tenant = randomUUID();
    const hour = '2026-04-03T15';
    const posts: Post[] = Array.from({ length: 20 }, (_, i) => ({
      id: `c${i}`,
      published_at: `${hour}:${String(i).padStart(2, '0')}:00Z`,
      likes: i,
      comments: 1,
      impressions: 100,
    }));
    await writePosts(tenant, posts);
    // A second pool, as a second aggregator replica has; each round both write and refresh at once.
    const other = createDb({ url: t.url, applicationName: 'replica-2', maxConnections: 2 });
    try {
      for (let round = 1; round <= 5; round++) {
        const bumped = posts.map((p, i) => ({ ...p, likes: (p.likes ?? 0) + round * i }));
        const halves = [bumped.slice(0, 10), bumped.slice(10)];
        await Promise.all([
          writePosts(tenant, halves[0] ?? []).then(() =>
            refreshPostAnalytics(t.db, keys(tenant, halves[0] ?? []), observed(tenant)),
          ),
          writePosts(tenant, halves[1] ?? []).then(() =>
            refreshPostAnalytics(other, keys(tenant, halves[1] ?? []), observed(tenant)),
          ),
        ]);
        const [row] = await rollup(tenant);
        expect(row?.likes_count).toBe(bumped.reduce((s, p) => s + (p.likes ?? 0), 0));
      }
    } finally {
      await other.destroy();
    }
  });

  it('rebuilds to the same rows the incremental refresh keeps', async () => {
    const before = await t.db
      .selectFrom('post_rollup_hourly')
      .selectAll()
      .orderBy(['tenant_id', 'hour', 'platform'])
      .execute();
    await rebuildPostAnalytics(t.db);
    const after = await t.db
      .selectFrom('post_rollup_hourly')
      .selectAll()
      .orderBy(['tenant_id', 'hour', 'platform'])
      .execute();
    const strip = (rows: typeof before) =>
      rows.filter((r) => r.posts > 0).map(({ updated_at: _u, ...r }) => r);
    expect(strip(after)).toEqual(strip(before));
    expect(after.length).toBeGreaterThan(3);
  });
});
