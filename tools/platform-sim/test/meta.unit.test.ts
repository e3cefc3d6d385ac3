import { describe, expect, it } from 'vitest';
import type { SimApp, TruthAccount } from '../src/index.js';
import { account, admin, get, json, makeSim, NOW, posts } from './helpers.js';

const G = '/meta/v25.0';

interface GraphError {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    fbtrace_id: string;
    is_transient?: boolean;
  };
}
interface Insights {
  data: Array<{
    name: string;
    period: string;
    values: Array<{ value: number | Record<string, number> }>;
    id: string;
    title: string;
  }>;
}
interface ListPage {
  data: Array<Record<string, unknown>>;
  paging?: { cursors: { before: string; after: string }; next?: string; previous?: string };
}

function graph(sim: SimApp, path: string, token: string): Promise<Response> {
  const sep = path.includes('?') ? '&' : '?';
  return get(sim, `${G}${path}${sep}access_token=${token}`);
}

function findPost(a: TruthAccount, pred: (p: NonNullable<TruthAccount['posts']>[number]) => boolean) {
  const p = posts(a).find(pred);
  if (!p) throw new Error(`fixture: no matching ${a.platform} post`);
  return p;
}

describe('Facebook Page posts', () => {
  it('answers fields with Meta time format, summaries, and omits shares at 0 and message when empty', async () => {
    const sim = makeSim({ postsPerAccount: 200 });
    const fb = account(sim, 'facebook');
    const fields =
      'id,message,created_time,shares,comments.summary(true).limit(0),reactions.summary(true).limit(0)';
    const noText = findPost(fb, (p) => p.text_length === 0);
    const a = await json<Record<string, unknown>>(
      await graph(sim, `/${noText.id}?fields=${fields}`, fb.token),
    );
    expect('message' in a).toBe(false);
    expect(a.created_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$/);
    expect(Date.parse(String(a.created_time).replace('+0000', 'Z'))).toBe(Date.parse(noText.published_at));
    const truth = sim.metricsAt('facebook', noText.id)?.metrics;
    expect(a.comments).toEqual({
      data: [],
      summary: { order: 'ranked', can_comment: true, total_count: truth?.comments },
    });
    expect(a.reactions).toEqual({
      data: [],
      summary: { viewer_reaction: 'NONE', total_count: truth?.likes },
    });
    // A post seen right after publication has no shares yet: the field is absent, meaning 0.
    const fresh = findPost(fb, (p) => p.text_length > 0);
    sim.clock.set(Date.parse(fresh.published_at) + 1000);
    const early = await json<Record<string, unknown>>(
      await graph(sim, `/${fresh.id}?fields=${fields}`, fb.token),
    );
    expect('shares' in early).toBe(false);
    expect(early.message).toBe(fresh.text);
    sim.clock.set(Date.parse(NOW) + 30 * 86_400_000);
    const later = await json<{ shares?: { count: number } }>(
      await graph(sim, `/${fresh.id}?fields=shares`, fb.token),
    );
    expect(later.shares?.count).toBe(sim.metricsAt('facebook', fresh.id)?.metrics.shares);
  });

  it('answers post insights with lifetime values; reactions list only non-zero types', async () => {
    const sim = makeSim();
    const fb = account(sim, 'facebook');
    const p = findPost(fb, (x) => x.content_type === 'video');
    const res = await graph(
      sim,
      `/${p.id}/insights?metric=post_media_view,post_total_media_view_unique,post_clicks,post_reactions_by_type_total,post_video_views`,
      fb.token,
    );
    expect(res.status).toBe(200);
    const body = await json<Insights>(res);
    const truth = sim.metricsAt('facebook', p.id)?.metrics;
    const value = (name: string) => body.data.find((d) => d.name === name)?.values[0]?.value;
    expect(body.data.map((d) => d.period)).toEqual(Array(5).fill('lifetime'));
    expect(body.data[0]?.id).toBe(`${p.id}/insights/post_media_view/lifetime`);
    expect(value('post_media_view')).toBe(truth?.impressions);
    expect(value('post_total_media_view_unique')).toBe(truth?.reach);
    expect(value('post_clicks')).toBe(truth?.clicks);
    expect(value('post_video_views')).toBe(truth?.video_views);
    const reactions = value('post_reactions_by_type_total') as Record<string, number>;
    for (const n of Object.values(reactions)) expect(n).toBeGreaterThan(0);
    expect(Object.values(reactions).reduce((s, n) => s + n, 0)).toBe(truth?.likes);
  });

  it('filters reactions by type', async () => {
    const sim = makeSim();
    const fb = account(sim, 'facebook');
    const p = posts(fb)[0]?.id ?? '';
    const body = await json<{ reactions: { summary: { total_count: number } } }>(
      await graph(sim, `/${p}?fields=reactions.type(LOVE).limit(0).summary(total_count)`, fb.token),
    );
    expect(body.reactions.summary.total_count).toBe(sim.metricsAt('facebook', p)?.metrics.reactions.love);
  });

  it('fails the whole request when any retired metric is named', async () => {
    const sim = makeSim();
    const fb = account(sim, 'facebook');
    const p = posts(fb)[0]?.id ?? '';
    for (const retired of ['post_impressions', 'post_impressions_unique', 'post_engaged_users']) {
      const res = await graph(sim, `/${p}/insights?metric=post_media_view,${retired}`, fb.token);
      expect(res.status).toBe(400);
      const body = await json<GraphError>(res);
      expect(body.error).toMatchObject({
        message: '(#100) The value must be a valid insights metric',
        type: 'OAuthException',
        code: 100,
      });
      expect(body.error.fbtrace_id).toMatch(/^A[\w-]{22}$/);
    }
  });

  it('walks published_posts with cursors and sees every post exactly once', async () => {
    const sim = makeSim({ postsPerAccount: 73 });
    const fb = account(sim, 'facebook');
    const seen: string[] = [];
    let page = await json<ListPage>(await graph(sim, `/${fb.account_id}/published_posts?limit=10`, fb.token));
    expect(page.paging?.previous).toBeUndefined();
    for (let i = 0; i < 20; i++) {
      for (const d of page.data) seen.push(String(d.id));
      const next = page.paging?.next;
      if (!next) break;
      const url = new URL(next);
      expect(url.pathname).toBe(`${G}/${fb.account_id}/published_posts`);
      expect(url.searchParams.get('after')).toBe(page.paging?.cursors.after);
      page = await json<ListPage>(await get(sim, `${url.pathname}${url.search}`));
    }
    expect(seen).toEqual(posts(fb).map((p) => p.id));
  });

  it('answers page fields and several ids in one call', async () => {
    const sim = makeSim();
    const fb = account(sim, 'facebook');
    const page = await json<{ id: string; followers_count: number; name: string }>(
      await graph(sim, `/${fb.account_id}?fields=id,name,followers_count`, fb.token),
    );
    expect(page).toEqual({
      id: fb.account_id,
      name: fb.name,
      followers_count: sim.world.followersAt(
        sim.world.accounts.find((a) => a.accountId === fb.account_id) ?? (undefined as never),
        Date.parse(NOW),
      ),
    });
    const [a, b] = posts(fb);
    const multi = await json<Record<string, { id: string; created_time: string }>>(
      await graph(sim, `/?ids=${a?.id},${b?.id}&fields=id,created_time`, fb.token),
    );
    expect(Object.keys(multi)).toEqual([a?.id, b?.id]);
    const multiInsights = await json<Record<string, Insights>>(
      await graph(sim, `/insights?ids=${a?.id},${b?.id}&metric=post_clicks`, fb.token),
    );
    expect(multiInsights[a?.id ?? '']?.data[0]?.values[0]?.value).toBe(
      sim.metricsAt('facebook', a?.id ?? '')?.metrics.clicks,
    );
    const missing = await graph(sim, `/?ids=${a?.id},123_456&fields=id`, fb.token);
    expect(missing.status).toBe(404);
    expect((await json<GraphError>(missing)).error).toMatchObject({
      code: 803,
      message: '(#803) Some of the aliases you requested do not exist: 123_456',
    });
  });

  it("treats other pages' objects and deleted posts as missing", async () => {
    const sim = makeSim();
    const fb = account(sim, 'facebook');
    const other = account(sim, 'facebook', 1);
    const foreign = await graph(sim, `/${posts(other)[0]?.id}?fields=id`, fb.token);
    expect(foreign.status).toBe(400);
    expect((await json<GraphError>(foreign)).error).toMatchObject({
      code: 100,
      error_subcode: 33,
      type: 'GraphMethodException',
    });
    const mine = posts(fb)[0]?.id ?? '';
    await admin(sim, '/faults', { deleted_posts: [mine] });
    expect((await graph(sim, `/${mine}?fields=id`, fb.token)).status).toBe(400);
    const list = await json<ListPage>(
      await graph(sim, `/${fb.account_id}/published_posts?limit=100`, fb.token),
    );
    expect(list.data.map((d) => d.id)).not.toContain(mine);
  });
});

describe('Instagram media', () => {
  it('lists media (not stories) with the requested fields and omits like_count when likes are hidden', async () => {
    const sim = makeSim({ postsPerAccount: 300 });
    const ig = account(sim, 'instagram');
    const fields = 'id,caption,media_type,media_product_type,timestamp,permalink,like_count,comments_count';
    const seen: Array<Record<string, unknown>> = [];
    let page = await json<ListPage>(
      await graph(sim, `/${ig.account_id}/media?fields=${fields}&limit=100`, ig.token),
    );
    for (;;) {
      seen.push(...page.data);
      const next = page.paging?.next;
      if (!next) break;
      const u = new URL(next);
      page = await json<ListPage>(await get(sim, `${u.pathname}${u.search}`));
    }
    const expected = posts(ig).filter((p) => p.product_type !== 'STORY');
    expect(seen.map((m) => m.id)).toEqual(expected.map((p) => p.id));
    const hidden = expected.find((p) => p.likes_hidden);
    if (!hidden) throw new Error('fixture: no hidden likes');
    const h = seen.find((m) => m.id === hidden.id);
    expect(h && 'like_count' in h).toBe(false);
    expect(h?.comments_count).toBe(sim.metricsAt('instagram', hidden.id)?.metrics.comments);
    const shown = seen.find((m) => m.id === expected.find((p) => !p.likes_hidden)?.id);
    expect(typeof shown?.like_count).toBe('number');
    for (const m of seen) {
      expect(['IMAGE', 'VIDEO', 'CAROUSEL_ALBUM']).toContain(m.media_type);
      expect(['FEED', 'REELS']).toContain(m.media_product_type);
      expect(m.timestamp).toMatch(/\+0000$/);
    }
  });

  it('answers media insights, and fails whole with the metric index for a retired metric', async () => {
    const sim = makeSim();
    const ig = account(sim, 'instagram');
    const p = findPost(ig, (x) => x.product_type === 'FEED');
    const body = await json<Insights>(
      await graph(
        sim,
        `/${p.id}/insights?metric=reach,likes,comments,shares,saved,total_interactions,views`,
        ig.token,
      ),
    );
    const truth = sim.metricsAt('instagram', p.id)?.metrics;
    const v = (n: string) => body.data.find((d) => d.name === n)?.values[0]?.value;
    expect(v('reach')).toBe(truth?.reach);
    expect(v('views')).toBe(truth?.impressions);
    expect(v('saved')).toBe(truth?.saves);
    expect(v('total_interactions')).toBe(
      (truth?.likes ?? 0) + (truth?.comments ?? 0) + (truth?.shares ?? 0) + (truth?.saves ?? 0),
    );
    for (const [i, retired] of [
      [1, 'impressions'],
      [1, 'plays'],
      [1, 'clips_replays_count'],
      [1, 'video_views'],
    ] as const) {
      const res = await graph(sim, `/${p.id}/insights?metric=reach,${retired},likes`, ig.token);
      expect(res.status).toBe(400);
      const e = (await json<GraphError>(res)).error;
      expect(e.code).toBe(100);
      expect(e.type).toBe('OAuthException');
      expect(e.message).toMatch(
        new RegExp(`^\\(#100\\) metric\\[${i}\\] must be one of the following values: reach, likes`),
      );
    }
  });

  it('answers {"data": []} while insights are not ready (lag fault)', async () => {
    const sim = makeSim({ faults: { instagram_insights_lag_hours: 48 } });
    const ig = account(sim, 'instagram');
    const p = findPost(ig, (x) => x.product_type !== 'STORY');
    sim.clock.set(Date.parse(p.published_at) + 47 * 3_600_000);
    expect(await json(await graph(sim, `/${p.id}/insights?metric=reach`, ig.token))).toEqual({ data: [] });
    sim.clock.set(Date.parse(p.published_at) + 49 * 3_600_000);
    expect(
      (await json<Insights>(await graph(sim, `/${p.id}/insights?metric=reach`, ig.token))).data,
    ).toHaveLength(1);
  });

  it('lists stories only for 24 h and refuses insights for stories with too few viewers', async () => {
    const sim = makeSim({ postsPerAccount: 300, faults: { instagram_story_min_viewers: 1_000_000 } });
    const ig = account(sim, 'instagram');
    const story = findPost(ig, (x) => x.product_type === 'STORY');
    sim.clock.set(Date.parse(story.published_at) + 3_600_000);
    const listed = await json<ListPage>(
      await graph(sim, `/${ig.account_id}/stories?fields=id,media_product_type`, ig.token),
    );
    expect(listed.data.map((d) => d.id)).toContain(story.id);
    const res = await graph(sim, `/${story.id}/insights?metric=reach,replies`, ig.token);
    expect(res.status).toBe(400);
    expect((await json<GraphError>(res)).error).toMatchObject({
      code: 10,
      message: '(#10) Not enough viewers for the media to show insights',
    });
    await admin(sim, '/faults', { instagram_story_min_viewers: 0 });
    expect((await graph(sim, `/${story.id}/insights?metric=reach,replies`, ig.token)).status).toBe(200);
    sim.clock.set(Date.parse(story.published_at) + 25 * 3_600_000);
    const gone = await json<ListPage>(await graph(sim, `/${ig.account_id}/stories`, ig.token));
    expect(gone.data.map((d) => d.id)).not.toContain(story.id);
  });
});

describe('Graph batch requests', () => {
  it('answers each element with code, headers and a JSON string body; refuses more than 50', async () => {
    const sim = makeSim();
    const fb = account(sim, 'facebook');
    const [a] = posts(fb);
    const form = (batch: unknown[]) =>
      sim.app.request(`${G}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: fb.token, batch: JSON.stringify(batch) }).toString(),
      });
    const res = await form([
      { method: 'GET', relative_url: `${a?.id}/insights?metric=post_clicks` },
      { method: 'GET', relative_url: `v25.0/${a?.id}/insights?metric=post_impressions` },
      { method: 'GET', relative_url: `${fb.account_id}?fields=followers_count` },
    ]);
    expect(res.status).toBe(200);
    const items =
      await json<Array<{ code: number; headers: Array<{ name: string; value: string }>; body: string }>>(res);
    expect(items.map((i) => i.code)).toEqual([200, 400, 200]);
    expect((JSON.parse(items[0]?.body ?? '{}') as Insights).data[0]?.name).toBe('post_clicks');
    expect((JSON.parse(items[1]?.body ?? '{}') as GraphError).error.code).toBe(100);
    expect(items[2]?.headers.map((h) => h.name)).toContain('x-app-usage');
    const tooMany = await form(
      Array.from({ length: 51 }, () => ({ method: 'GET', relative_url: fb.account_id })),
    );
    expect(tooMany.status).toBe(400);
    expect((await json<GraphError>(tooMany)).error.code).toBe(100);
  });
});

describe('Meta auth', () => {
  it('answers OAuthException 190 with the subcode for expired (463), password changed (460) and removed app (458)', async () => {
    const sim = makeSim();
    const fb = account(sim, 'facebook');
    const path = `/${fb.account_id}?fields=id`;
    const none = await get(sim, `${G}${path}`);
    expect((await json<GraphError>(none)).error).toMatchObject({ code: 104, type: 'OAuthException' });
    expect((await json<GraphError>(await graph(sim, path, 'garbage'))).error).toMatchObject({ code: 190 });
    await admin(sim, `/tokens/${fb.token}/expire`);
    sim.clock.advance(3_600_000);
    const expired = await graph(sim, path, fb.token);
    expect(expired.status).toBe(400);
    const e = (await json<GraphError>(expired)).error;
    expect(e).toMatchObject({ type: 'OAuthException', code: 190, error_subcode: 463 });
    expect(e.message).toMatch(
      /^Error validating access token: Session has expired on Wednesday, 18-Nov-26 04:00:00 PST\. The current time is Wednesday, 18-Nov-26 05:00:00 PST\.$/,
    );
    await admin(sim, `/tokens/${fb.token}/restore`);
    await admin(sim, `/tokens/${fb.token}/revoke`, { reason: 'password_changed' });
    expect((await json<GraphError>(await graph(sim, path, fb.token))).error.error_subcode).toBe(460);
    await admin(sim, `/tokens/${fb.token}/revoke`, { reason: 'app_removed' });
    expect((await json<GraphError>(await graph(sim, path, fb.token))).error.error_subcode).toBe(458);
    // The Authorization header works as well as access_token.
    await admin(sim, `/tokens/${fb.token}/restore`);
    expect((await get(sim, `${G}${path}`, { authorization: `Bearer ${fb.token}` })).status).toBe(200);
  });
});

describe('Meta rate limits', () => {
  it('reports usage, blocks a page at 100 % with 80001, lengthens the block per call and counts violations', async () => {
    const sim = makeSim({ limits: { meta: { pagePerDay: 4, penaltyMs: 10 * 60_000 } } });
    const fb = account(sim, 'facebook');
    const path = `/${fb.account_id}?fields=id`;
    const usage = async (r: Response) =>
      (
        JSON.parse(r.headers.get('x-business-use-case-usage') ?? '{}') as Record<
          string,
          Array<Record<string, number | string>>
        >
      )[fb.account_id]?.[0];
    const counts: unknown[] = [];
    for (let i = 0; i < 4; i++) counts.push((await usage(await graph(sim, path, fb.token)))?.call_count);
    expect(counts).toEqual([25, 50, 75, 100]);
    const blocked = await graph(sim, path, fb.token);
    expect(blocked.status).toBe(400);
    expect((await json<GraphError>(blocked)).error).toMatchObject({
      code: 80001,
      type: 'OAuthException',
      is_transient: true,
      message: expect.stringMatching(/^\(#80001\) There have been too many calls to this Page account/),
    });
    const first = await usage(blocked);
    expect(first?.type).toBe('pages');
    const again = await usage(await graph(sim, path, fb.token));
    expect(Number(again?.estimated_time_to_regain_access)).toBeGreaterThan(
      Number(first?.estimated_time_to_regain_access),
    );
    expect(sim.violations.report().entries).toEqual([
      expect.objectContaining({
        api: 'meta',
        platform: 'facebook',
        caller: fb.account_id,
        scope: 'page',
        count: 2,
      }),
    ]);
    const app = JSON.parse(blocked.headers.get('x-app-usage') ?? '{}') as Record<string, number>;
    expect(Object.keys(app).sort()).toEqual(['call_count', 'total_cputime', 'total_time']);
    // 24 h window (in 24-minute buckets) plus two 10-minute penalties.
    sim.clock.advance(24 * 3_600_000 + 24 * 60_000 + 20 * 60_000 - 60_000);
    expect((await graph(sim, path, fb.token)).status).toBe(400);
    sim.clock.advance(40 * 60_000);
    expect((await graph(sim, path, fb.token)).status).toBe(200);
  });

  it('counts every id of a multi-id call and blocks the app with (#4) and 403', async () => {
    const sim = makeSim({ limits: { meta: { appPerHour: 3 } } });
    const ig = account(sim, 'instagram');
    const ids = posts(ig)
      .filter((p) => p.product_type !== 'STORY')
      .slice(0, 3)
      .map((p) => p.id)
      .join(',');
    const r = await graph(sim, `/?ids=${ids}&fields=id`, ig.token);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.headers.get('x-app-usage') ?? '{}')).toMatchObject({ call_count: 100 });
    const blocked = await graph(sim, `/${ig.account_id}?fields=id`, ig.token);
    expect(blocked.status).toBe(403);
    expect((await json<GraphError>(blocked)).error).toMatchObject({
      code: 4,
      message: '(#4) Application request limit reached',
    });
    expect(sim.violations.report().entries[0]).toMatchObject({
      caller: 'app',
      scope: 'app',
      platform: 'instagram',
    });
  });

  it('blocks an Instagram account with 80002', async () => {
    const sim = makeSim({ limits: { meta: { instagramPerDay: 1 } } });
    const ig = account(sim, 'instagram');
    await graph(sim, `/${ig.account_id}?fields=id`, ig.token);
    const blocked = await graph(sim, `/${ig.account_id}?fields=id`, ig.token);
    expect((await json<GraphError>(blocked)).error.code).toBe(80002);
    const buc = JSON.parse(blocked.headers.get('x-business-use-case-usage') ?? '{}') as Record<
      string,
      Array<{ type: string }>
    >;
    expect(buc[ig.account_id]?.[0]?.type).toBe('instagram');
  });
});
