import { describe, expect, it } from 'vitest';
import { account, admin, bearer, get, json, makeSim, NOW, posts } from './helpers.js';

const PROBLEMS = 'https://api.twitter.com/2/problems';

interface Tweet {
  id: string;
  text: string;
  edit_history_tweet_ids: string[];
  created_at?: string;
  public_metrics?: Record<string, number>;
  non_public_metrics?: Record<string, number>;
  organic_metrics?: Record<string, number>;
  attachments?: { media_keys: string[] };
  entities?: { hashtags: Array<{ start: number; end: number; tag: string }> };
}
interface TweetsBody {
  data?: Tweet[];
  errors?: Array<Record<string, string>>;
  includes?: { media?: Array<Record<string, unknown>>; users?: Array<Record<string, unknown>> };
  meta?: {
    result_count: number;
    next_token?: string;
    previous_token?: string;
    newest_id?: string;
    oldest_id?: string;
  };
}

describe('X GET /2/tweets', () => {
  it('answers the documented shape with requested fields, media includes and X time format', async () => {
    const sim = makeSim();
    const x = account(sim, 'twitter');
    const withVideo = posts(x).find((p) => p.content_type === 'video');
    const plain = posts(x).find((p) => p.content_type === 'text');
    if (!withVideo || !plain) throw new Error('fixture lacks a video or text post');
    const res = await get(
      sim,
      `/x/2/tweets?ids=${withVideo.id},${plain.id}&tweet.fields=public_metrics,non_public_metrics,organic_metrics,created_at,entities,attachments&expansions=attachments.media_keys&media.fields=public_metrics,duration_ms,type`,
      bearer(x.token),
    );
    expect(res.status).toBe(200);
    const body = await json<TweetsBody>(res);
    expect(body.errors).toBeUndefined();
    const video = body.data?.find((t) => t.id === withVideo.id);
    expect(video?.created_at).toBe(withVideo.published_at);
    expect(video?.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    expect(video?.edit_history_tweet_ids).toEqual([withVideo.id]);
    expect(Object.keys(video?.public_metrics ?? {}).sort()).toEqual(
      [
        'bookmark_count',
        'impression_count',
        'like_count',
        'quote_count',
        'reply_count',
        'retweet_count',
      ].sort(),
    );
    const truth = sim.metricsAt('twitter', withVideo.id);
    expect(video?.public_metrics?.like_count).toBe(truth?.metrics.likes);
    expect(video?.public_metrics?.retweet_count).toBe(truth?.metrics.shares);
    expect(video?.public_metrics?.quote_count).toBe(truth?.metrics.quotes);
    const key = video?.attachments?.media_keys[0];
    expect(key).toMatch(/^13_\d+$/);
    const media = body.includes?.media?.find((m) => m.media_key === key);
    expect(media?.type).toBe('video');
    expect(media?.public_metrics).toEqual({ view_count: truth?.metrics.video_views });
    const text = body.data?.find((t) => t.id === plain.id);
    expect(text?.attachments).toBeUndefined();
  });

  it('omits data when nothing is found and reports deleted or unknown ids in errors', async () => {
    const sim = makeSim();
    const x = account(sim, 'twitter');
    const [a, b] = posts(x);
    if (!a || !b) throw new Error('fixture');
    await admin(sim, '/faults', { deleted_posts: [a.id] });
    const res = await get(sim, `/x/2/tweets?ids=${a.id},${b.id},42`, bearer(x.token));
    const body = await json<TweetsBody>(res);
    expect(res.status).toBe(200);
    expect(body.data?.map((t) => t.id)).toEqual([b.id]);
    expect(body.errors).toEqual([
      {
        value: a.id,
        detail: `Could not find tweet with ids: [${a.id}].`,
        title: 'Not Found Error',
        resource_type: 'tweet',
        parameter: 'ids',
        resource_id: a.id,
        type: `${PROBLEMS}/resource-not-found`,
      },
      expect.objectContaining({ resource_id: '42', title: 'Not Found Error' }),
    ]);
    const none = await json<TweetsBody>(await get(sim, `/x/2/tweets?ids=${a.id}`, bearer(x.token)));
    expect('data' in none).toBe(false);
    expect(none.errors).toHaveLength(1);
  });

  it('reports private metrics only for the owner and only for posts younger than 30 days', async () => {
    const sim = makeSim({ days: 90 });
    const x = account(sim, 'twitter');
    const other = account(sim, 'twitter', 1);
    const now = Date.parse(NOW);
    const young = posts(x).find((p) => now - Date.parse(p.published_at) < 20 * 86_400_000);
    const old = posts(x).find((p) => now - Date.parse(p.published_at) > 40 * 86_400_000);
    if (!young || !old) throw new Error('fixture');
    const q = `/x/2/tweets?ids=${young.id},${old.id}&tweet.fields=public_metrics,non_public_metrics,organic_metrics`;
    const own = await json<TweetsBody>(await get(sim, q, bearer(x.token)));
    const y = own.data?.find((t) => t.id === young.id);
    const o = own.data?.find((t) => t.id === old.id);
    expect(y?.non_public_metrics).toEqual(
      expect.objectContaining({ impression_count: expect.any(Number), url_link_clicks: expect.any(Number) }),
    );
    expect(y?.organic_metrics?.like_count).toBe(y?.public_metrics?.like_count);
    expect(o?.public_metrics).toBeDefined();
    expect(o?.non_public_metrics).toBeUndefined();
    expect(o?.organic_metrics).toBeUndefined();
    const foreign = await json<TweetsBody>(await get(sim, q, bearer(other.token)));
    expect(foreign.data?.every((t) => t.non_public_metrics === undefined)).toBe(true);
  });

  it('expands author_id into includes.users', async () => {
    const sim = makeSim();
    const x = account(sim, 'twitter');
    const id = posts(x)[0]?.id ?? '';
    const body = await json<TweetsBody>(
      await get(
        sim,
        `/x/2/tweets?ids=${id}&tweet.fields=author_id&expansions=author_id&user.fields=public_metrics`,
        bearer(x.token),
      ),
    );
    expect(body.data?.[0]).toMatchObject({ author_id: x.account_id });
    expect(body.includes?.users).toEqual([
      expect.objectContaining({ id: x.account_id, username: x.handle, public_metrics: expect.any(Object) }),
    ]);
  });

  it('computes hashtag entity offsets in code points', async () => {
    const sim = makeSim();
    const x = account(sim, 'twitter');
    const tagged = posts(x).find((p) => p.hashtags.length > 0);
    if (!tagged) throw new Error('fixture');
    const body = await json<TweetsBody>(
      await get(sim, `/x/2/tweets?ids=${tagged.id}&tweet.fields=entities`, bearer(x.token)),
    );
    const tweet = body.data?.[0];
    const chars = Array.from(tweet?.text ?? '');
    for (const h of tweet?.entities?.hashtags ?? [])
      expect(chars.slice(h.start, h.end).join('')).toBe(`#${h.tag}`);
    expect(tweet?.entities?.hashtags.map((h) => h.tag)).toEqual(tagged.hashtags);
  });

  it('rejects bad parameters with the invalid-request problem', async () => {
    const sim = makeSim();
    const x = account(sim, 'twitter');
    const ids = Array.from({ length: 101 }, (_, i) => String(1000 + i)).join(',');
    const tooMany = await get(sim, `/x/2/tweets?ids=${ids}`, bearer(x.token));
    expect(tooMany.status).toBe(400);
    const body = await json(tooMany);
    expect(body).toMatchObject({
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: `${PROBLEMS}/invalid-request`,
    });
    expect(JSON.stringify(body)).toContain('[101] is not between 1 and 100');
    const empty = await get(sim, '/x/2/tweets', bearer(x.token));
    expect(empty.status).toBe(400);
    const badField = await json(await get(sim, '/x/2/tweets?ids=1&tweet.fields=likes', bearer(x.token)));
    expect(JSON.stringify(badField)).toContain(
      'The `tweet.fields` query parameter value [likes] is not one of',
    );
  });
});

describe('X GET /2/users/:id/tweets', () => {
  it('walks every visible post exactly once with next_token, newest first', async () => {
    const sim = makeSim({ postsPerAccount: 137 });
    const x = account(sim, 'twitter');
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const q = `/x/2/users/${x.account_id}/tweets?max_results=20${token ? `&pagination_token=${token}` : ''}`;
      const body = await json<TweetsBody>(await get(sim, q, bearer(x.token)));
      pages++;
      for (const t of body.data ?? []) seen.push(t.id);
      expect(body.meta?.result_count).toBe(body.data?.length ?? 0);
      token = body.meta?.next_token;
    } while (token && pages < 50);
    expect(seen).toEqual(posts(x).map((p) => p.id));
    expect(new Set(seen).size).toBe(137);
    expect(pages).toBe(7);
  });

  it('goes back with previous_token and filters by start_time', async () => {
    const sim = makeSim();
    const x = account(sim, 'twitter');
    const first = await json<TweetsBody>(
      await get(sim, `/x/2/users/${x.account_id}/tweets?max_results=5`, bearer(x.token)),
    );
    expect(first.meta?.previous_token).toBeUndefined();
    const second = await json<TweetsBody>(
      await get(
        sim,
        `/x/2/users/${x.account_id}/tweets?max_results=5&pagination_token=${first.meta?.next_token}`,
        bearer(x.token),
      ),
    );
    const back = await json<TweetsBody>(
      await get(
        sim,
        `/x/2/users/${x.account_id}/tweets?max_results=5&pagination_token=${second.meta?.previous_token}`,
        bearer(x.token),
      ),
    );
    expect(back.data?.map((t) => t.id)).toEqual(first.data?.map((t) => t.id));
    const cut = posts(x)[9]?.published_at ?? '';
    const recent = await json<TweetsBody>(
      await get(sim, `/x/2/users/${x.account_id}/tweets?max_results=100&start_time=${cut}`, bearer(x.token)),
    );
    expect(recent.data?.map((t) => t.id)).toEqual(
      posts(x)
        .slice(0, 10)
        .map((p) => p.id),
    );
  });

  it('reaches only the 3,200 newest posts', async () => {
    const sim = makeSim({ tenants: 1, postsPerAccount: 3300, days: 400 });
    const x = account(sim, 'twitter');
    let token: string | undefined;
    let n = 0;
    do {
      const q = `/x/2/users/${x.account_id}/tweets?max_results=100${token ? `&pagination_token=${token}` : ''}`;
      const body = await json<TweetsBody>(await get(sim, q, bearer(x.token)));
      n += body.data?.length ?? 0;
      token = body.meta?.next_token;
    } while (token);
    expect(n).toBe(3200);
  });

  it('answers an empty timeline with meta only and an unknown user with a not-found error', async () => {
    const sim = makeSim({ now: '2020-01-01T00:00:00Z', anchor: NOW });
    const x = account(sim, 'twitter');
    const body = await json<TweetsBody>(await get(sim, `/x/2/users/${x.account_id}/tweets`, bearer(x.token)));
    expect(body).toEqual({ meta: { result_count: 0 } });
    const unknown = await json<TweetsBody>(await get(sim, '/x/2/users/123/tweets', bearer(x.token)));
    expect(unknown.errors?.[0]).toMatchObject({
      resource_type: 'user',
      resource_id: '123',
      title: 'Not Found Error',
    });
    const bad = await get(sim, `/x/2/users/${x.account_id}/tweets?max_results=3`, bearer(x.token));
    expect(bad.status).toBe(400);
  });
});

describe('X discovery over time', () => {
  it('shows posts scheduled after the anchor once the clock reaches them', async () => {
    const sim = makeSim({ anchor: NOW, futureDays: 10, postsPerAccount: 100 });
    const x = account(sim, 'twitter');
    const future = posts(x).filter((p) => Date.parse(p.published_at) > Date.parse(NOW));
    expect(future.length).toBeGreaterThan(0);
    const q = `/x/2/users/${x.account_id}/tweets?max_results=100`;
    const before = await json<TweetsBody>(await get(sim, q, bearer(x.token)));
    expect(before.data?.map((t) => t.id)).not.toContain(future[0]?.id);
    expect(before.meta?.result_count).toBe(100 - future.length);
    sim.clock.advance(10 * 86_400_000);
    const after = await json<TweetsBody>(await get(sim, q, bearer(x.token)));
    expect(after.meta?.result_count).toBe(100);
    expect(after.data?.map((t) => t.id)).toEqual(posts(x).map((p) => p.id));
  });
});

describe('X GET /2/users/:id', () => {
  it('reports followers that grow with the clock', async () => {
    const sim = makeSim();
    const x = account(sim, 'twitter');
    const q = `/x/2/users/${x.account_id}?user.fields=public_metrics`;
    const before = await json<{
      data: { id: string; username: string; public_metrics: { followers_count: number } };
    }>(await get(sim, q, bearer(x.token)));
    expect(before.data.id).toBe(x.account_id);
    expect(before.data.username).toBe(x.handle);
    sim.clock.advance(30 * 86_400_000);
    const after = await json<{ data: { public_metrics: { followers_count: number } } }>(
      await get(sim, q, bearer(x.token)),
    );
    expect(after.data.public_metrics.followers_count).toBeGreaterThan(
      before.data.public_metrics.followers_count,
    );
    const me = await json<{ data: { id: string } }>(await get(sim, '/x/2/users/me', bearer(x.token)));
    expect(me.data.id).toBe(x.account_id);
  });
});

describe('X auth', () => {
  it('answers 401 with the problem body for missing, unknown, expired and revoked tokens', async () => {
    const sim = makeSim();
    const x = account(sim, 'twitter');
    const expected = { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' };
    const q = `/x/2/users/${x.account_id}`;
    for (const headers of [{}, bearer('nope')]) {
      const res = await get(sim, q, headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(expected);
    }
    expect((await get(sim, q, bearer(x.token))).status).toBe(200);
    expect((await admin(sim, `/tokens/${x.token}/expire`)).status).toBe(200);
    const expired = await get(sim, q, bearer(x.token));
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual(expected);
    await admin(sim, `/tokens/${x.token}/restore`);
    expect((await get(sim, q, bearer(x.token))).status).toBe(200);
    await admin(sim, `/tokens/${x.token}/revoke`);
    expect((await get(sim, q, bearer(x.token))).status).toBe(401);
  });
});

describe('X rate limits', () => {
  it('sends headers on every response, 429s at the per-user limit, resets after the window and counts violations', async () => {
    const sim = makeSim({ limits: { x: { endpoints: { tweets_lookup: { perUser: 3, perApp: 100 } } } } });
    const x = account(sim, 'twitter');
    const id = posts(x)[0]?.id ?? '';
    const q = `/x/2/tweets?ids=${id}`;
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await get(sim, q, bearer(x.token));
      expect(r.status).toBe(200);
      expect(r.headers.get('x-rate-limit-limit')).toBe('3');
      remaining.push(r.headers.get('x-rate-limit-remaining') ?? '');
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const reset = Number((await get(sim, q, bearer(x.token))).headers.get('x-rate-limit-reset'));
    expect(reset).toBe(Math.ceil((Date.parse(NOW) + 15 * 60_000) / 1000));
    const limited = await get(sim, q, bearer(x.token));
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({
      title: 'Too Many Requests',
      detail: 'Too Many Requests',
      type: 'about:blank',
      status: 429,
    });
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(sim.violations.report().entries).toEqual([
      expect.objectContaining({ api: 'x', caller: x.account_id, scope: 'tweets_lookup:user', count: 2 }),
    ]);
    sim.clock.set(reset * 1000);
    const fresh = await get(sim, q, bearer(x.token));
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('x-rate-limit-remaining')).toBe('2');
    expect(sim.violations.total()).toBe(2);
  });

  it('limits the whole app across users and reports the tighter window in the headers', async () => {
    const sim = makeSim({ limits: { x: { endpoints: { users_lookup: { perUser: 10, perApp: 2 } } } } });
    const a = account(sim, 'twitter');
    const b = account(sim, 'twitter', 1);
    const r1 = await get(sim, `/x/2/users/${a.account_id}`, bearer(a.token));
    expect(r1.headers.get('x-rate-limit-limit')).toBe('2');
    expect(r1.headers.get('x-rate-limit-remaining')).toBe('1');
    expect(
      (await get(sim, `/x/2/users/${b.account_id}`, bearer(b.token))).headers.get('x-rate-limit-remaining'),
    ).toBe('0');
    expect((await get(sim, `/x/2/users/${b.account_id}`, bearer(b.token))).status).toBe(429);
    expect(sim.violations.report().entries[0]).toMatchObject({
      caller: 'app',
      scope: 'users_lookup:app',
      count: 1,
    });
  });

  it('answers usage-capped once the monthly post cap is used, and counts calls after that as violations', async () => {
    const sim = makeSim({ limits: { x: { monthlyPostCap: 3 } } });
    const x = account(sim, 'twitter');
    const ids = posts(x)
      .slice(0, 3)
      .map((p) => p.id)
      .join(',');
    expect((await get(sim, `/x/2/tweets?ids=${ids}`, bearer(x.token))).status).toBe(200);
    const capped = await get(sim, `/x/2/tweets?ids=${ids}`, bearer(x.token));
    expect(capped.status).toBe(429);
    const body = await json(capped);
    expect(body).toMatchObject({
      title: 'UsageCapExceeded',
      period: 'Monthly',
      scope: 'Product',
      type: `${PROBLEMS}/usage-capped`,
    });
    expect(capped.headers.get('x-rate-limit-remaining')).not.toBe('0');
    expect(sim.violations.total()).toBe(0);
    await get(sim, `/x/2/tweets?ids=${ids}`, bearer(x.token));
    expect(sim.violations.report().entries[0]).toMatchObject({ scope: 'monthly_usage_cap', count: 1 });
    sim.clock.set(Date.parse('2026-12-01T00:00:00Z'));
    expect((await get(sim, `/x/2/tweets?ids=${ids}`, bearer(x.token))).status).toBe(200);
  });
});
