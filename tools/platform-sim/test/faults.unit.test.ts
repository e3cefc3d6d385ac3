import { describe, expect, it } from 'vitest';
import { account, admin, bearer, get, json, linkedinHeaders, makeSim, posts } from './helpers.js';

describe('5xx faults', () => {
  it('answers a configured share of requests per API with that platform’s 5xx body', async () => {
    const sim = makeSim({ faults: { error_rate: { x: 0.5 } } });
    const x = account(sim, 'twitter');
    const li = account(sim, 'linkedin');
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++)
      statuses.push((await get(sim, `/x/2/users/${x.account_id}`, bearer(x.token))).status);
    const errors = statuses.filter((s) => s >= 500).length;
    expect(errors).toBeGreaterThan(60);
    expect(errors).toBeLessThan(140);
    expect(statuses.every((s) => s === 200 || s === 500 || s === 503)).toBe(true);
    // LinkedIn is untouched by the X fault.
    const ok = await get(
      sim,
      `/linkedin/rest/networkSizes/${encodeURIComponent(li.account_ref)}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`,
      linkedinHeaders(li.token),
    );
    expect(ok.status).toBe(200);
  });

  it('uses each platform’s error body', async () => {
    const sim = makeSim({ faults: { error_rate: { x: 1, linkedin: 1, meta: 1 } } });
    const x = await get(sim, '/x/2/users/1');
    expect(await x.json()).toMatchObject({ type: 'about:blank', status: x.status });
    const li = await get(sim, '/linkedin/rest/posts');
    expect(await li.json()).toMatchObject({ status: li.status });
    const meta = await get(sim, '/meta/v25.0/1');
    expect(meta.status).toBeGreaterThanOrEqual(500);
    expect(await meta.json()).toMatchObject({ error: { type: 'OAuthException', is_transient: true } });
  });

  it('is deterministic for a seed and request order', async () => {
    const run = async () => {
      const sim = makeSim({ faults: { error_rate: { x: 0.3 } } });
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await get(sim, '/x/2/users/1')).status);
      return out;
    };
    expect(await run()).toEqual(await run());
  });
});

describe('latency and hangs', () => {
  it('adds latency through the injected sleep', async () => {
    const waits: number[] = [];
    const sim = makeSim({
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await admin(sim, '/faults', { latency_ms: { linkedin: 250 } });
    await get(sim, '/linkedin/rest/posts');
    await get(sim, '/x/2/users/1');
    expect(waits).toEqual([250]);
  });

  it('never answers a hanging request until the client aborts', async () => {
    const sim = makeSim({ faults: { hang_rate: { meta: 1 } } });
    const controller = new AbortController();
    let settled = false;
    const pending = Promise.resolve(
      sim.app.request(new Request('http://sim/meta/v25.0/1', { signal: controller.signal })),
    ).then((r) => {
      settled = true;
      return r;
    });
    // Let every queued task run: a non-hanging handler would have answered by now.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    controller.abort();
    await pending;
    expect(settled).toBe(true);
  });

  it('releases hanging requests when the simulator shuts down', async () => {
    const sim = makeSim({ faults: { hang_rate: { x: 1 } } });
    const pending = sim.app.request('/x/2/users/1');
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    sim.releaseHangs();
    expect((await pending).status).toBe(504);
  });
});

describe('deleted posts', () => {
  it('removes a share of posts from every platform consistently', async () => {
    const sim = makeSim({ faults: { deleted_share: 0.2 } });
    const fb = account(sim, 'facebook');
    const deleted = posts(fb).filter((p) => sim.faults.isDeleted(p.id));
    expect(deleted.length).toBeGreaterThan(3);
    expect(deleted.length).toBeLessThan(posts(fb).length * 0.4);
    const list = await json<{ data: Array<{ id: string }> }>(
      await get(sim, `/meta/v25.0/${fb.account_id}/published_posts?limit=100&access_token=${fb.token}`),
    );
    expect(list.data).toHaveLength(posts(fb).length - deleted.length);
    const li = account(sim, 'linkedin');
    const liPosts = await json<{ paging: { total: number } }>(
      await get(
        sim,
        `/linkedin/rest/posts?q=author&author=${encodeURIComponent(li.account_ref)}&count=100`,
        linkedinHeaders(li.token),
      ),
    );
    expect(liPosts.paging.total).toBe(posts(li).filter((p) => !sim.faults.isDeleted(p.id)).length);
  });
});

describe('admin faults API', () => {
  it('merges patches, validates them and resets', async () => {
    const sim = makeSim();
    const res = await admin(sim, '/faults', { error_rate: { meta: 0.25 }, instagram_insights_lag_hours: 48 });
    expect(res.status).toBe(200);
    const body = await json<{ error_rate: Record<string, number>; instagram_insights_lag_hours: number }>(
      res,
    );
    expect(body.error_rate).toEqual({ x: 0, linkedin: 0, meta: 0.25 });
    expect(body.instagram_insights_lag_hours).toBe(48);
    expect((await admin(sim, '/faults', { error_rate: { meta: 2 } })).status).toBe(400);
    expect((await admin(sim, '/faults', { nonsense: true })).status).toBe(400);
    const reset = await sim.app.request('/admin/faults', { method: 'DELETE' });
    expect((await json<{ error_rate: Record<string, number> }>(reset)).error_rate.meta).toBe(0);
  });
});
