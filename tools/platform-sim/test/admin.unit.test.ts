import { describe, expect, it } from 'vitest';
import { runSimCli, SimClock, startSim } from '../src/index.js';
import { account, admin, bearer, get, json, makeSim, NOW, posts } from './helpers.js';

describe('admin clock', () => {
  it('sets and advances time; metrics grow with it', async () => {
    const sim = makeSim();
    const x = account(sim, 'twitter');
    const id = posts(x)[0]?.id ?? '';
    const likes = async () =>
      (
        await json<{ data: Array<{ public_metrics: { impression_count: number } }> }>(
          await get(sim, `/x/2/tweets?ids=${id}&tweet.fields=public_metrics`, bearer(x.token)),
        )
      ).data[0]?.public_metrics.impression_count ?? -1;
    const before = await likes();
    const res = await admin(sim, '/clock', { advance_ms: 7 * 86_400_000 });
    expect(await res.json()).toEqual({ now: '2026-11-25T12:00:00.000Z' });
    expect(await likes()).toBeGreaterThan(before);
    await admin(sim, '/clock', { now: NOW });
    expect(await likes()).toBe(before);
    expect((await admin(sim, '/clock', { now: 'yesterday' })).status).toBe(400);
    expect(await json(await get(sim, '/admin/clock'))).toEqual({ now: NOW });
  });

  it('accepts an injected clock', () => {
    const clock = new SimClock(Date.parse(NOW));
    const sim = makeSim({ clock });
    clock.advance(1000);
    expect(sim.clock.now()).toBe(Date.parse(NOW) + 1000);
  });
});

describe('admin truth', () => {
  it('serves the truth with multipliers and exact metrics at a time', async () => {
    const sim = makeSim();
    const truth = await json<{
      accounts: Array<{ platform: string; posts?: unknown[] }>;
      multipliers: { weekday_hour: number[][]; content_type: Record<string, number> };
    }>(await get(sim, '/admin/truth'));
    expect(truth).toEqual(JSON.parse(JSON.stringify(sim.truth())));
    expect(truth.multipliers.weekday_hour).toHaveLength(7);
    expect(truth.multipliers.weekday_hour[0]).toHaveLength(24);
    expect(truth.multipliers.content_type.video).toBeGreaterThan(truth.multipliers.content_type.text ?? 0);
    const slim = await json<{ accounts: Array<{ posts?: unknown[] }> }>(
      await get(sim, '/admin/truth?posts=false'),
    );
    expect(slim.accounts.every((a) => a.posts === undefined)).toBe(true);
    const li = account(sim, 'linkedin');
    const p = posts(li)[0];
    const at = '2026-12-01T00:00:00.000Z';
    const m = await json<{ metrics: Record<string, number>; published: boolean }>(
      await get(sim, `/admin/truth/posts/linkedin/${encodeURIComponent(p?.id ?? '')}/metrics?at=${at}`),
    );
    expect(m.published).toBe(true);
    expect(m.metrics).toEqual(sim.metricsAt('linkedin', p?.id ?? '', Date.parse(at))?.metrics);
    expect((await get(sim, '/admin/truth/posts/linkedin/nope/metrics')).status).toBe(404);
  });
});

describe('admin violations', () => {
  it('reports and resets', async () => {
    const sim = makeSim({ limits: { x: { endpoints: { users_lookup: { perUser: 1, perApp: 10 } } } } });
    const x = account(sim, 'twitter');
    for (let i = 0; i < 3; i++) await get(sim, `/x/2/users/${x.account_id}`, bearer(x.token));
    const report = await json<{ total: number; throttled_responses: number }>(
      await get(sim, '/admin/violations'),
    );
    expect(report).toMatchObject({ total: 2, throttled_responses: 2 });
    await admin(sim, '/violations/reset');
    expect(await json(await get(sim, '/admin/violations'))).toEqual({
      total: 0,
      throttled_responses: 0,
      entries: [],
    });
  });

  it('refuses unknown tokens', async () => {
    const sim = makeSim();
    expect((await admin(sim, '/tokens/nope/expire')).status).toBe(404);
    expect(
      (await admin(sim, `/tokens/${account(sim, 'instagram').token}/revoke`, { reason: 'bored' })).status,
    ).toBe(400);
  });
});

describe('unknown paths', () => {
  it("answer in each platform's voice", async () => {
    const sim = makeSim();
    expect(await json(await get(sim, '/x/2/nothing'))).toEqual({
      errors: [{ message: 'Sorry, that page does not exist', code: 34 }],
    });
    expect(await json(await get(sim, '/linkedin/rest/nothing'))).toEqual({
      status: 404,
      code: 'NOT_FOUND',
      message: 'No virtual resource found',
    });
    const meta = await get(sim, '/meta/v24.0/123');
    expect(meta.status).toBe(400);
    expect(await json(meta)).toMatchObject({ error: { code: 2500, type: 'OAuthException' } });
    expect((await get(sim, '/elsewhere')).status).toBe(404);
  });
});

describe('CLI and server', () => {
  it('prints the truth as JSON', async () => {
    const out: string[] = [];
    const io = {
      stdout: (l: string) => out.push(l),
      stderr: () => {},
      env: { SIM_SEED: '5', SIM_TENANTS: '1' },
    };
    expect(await runSimCli(['truth', '--posts-per-account', '3', '--now', NOW], io)).toBeUndefined();
    const truth = JSON.parse(out.join('\n')) as { seed: number; accounts: Array<{ posts: unknown[] }> };
    expect(truth.seed).toBe(5);
    expect(truth.accounts).toHaveLength(4);
    expect(truth.accounts[0]?.posts).toHaveLength(3);
  });

  it('rejects unknown flags', async () => {
    const io = { stdout: () => {}, stderr: () => {}, env: {} };
    await expect(runSimCli(['--bogus'], io)).rejects.toThrow();
  });

  it('starts on a random port, prints one line per API and serves them', async () => {
    const out: string[] = [];
    const running = await runSimCli(['--port', '0', '--tenants', '1', '--posts-per-account', '5'], {
      stdout: (l) => out.push(l),
      stderr: () => {},
      env: {},
    });
    if (!running) throw new Error('not started');
    try {
      const base = `http://127.0.0.1:${running.port}`;
      expect(out).toEqual([
        `x: ${base}/x`,
        `linkedin: ${base}/linkedin`,
        `meta: ${base}/meta`,
        `admin: ${base}/admin`,
      ]);
      const x = running.sim.truth().accounts.find((a) => a.platform === 'twitter');
      const res = await fetch(`${running.urls.x}/2/users/${x?.account_id}`, {
        headers: bearer(x?.token ?? ''),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-rate-limit-remaining')).toBe('299');
    } finally {
      await running.close();
    }
  });

  it('startSim frees hanging connections on close', async () => {
    const running = await startSim({
      port: 0,
      tenants: 1,
      postsPerAccount: 5,
      faults: { hang_rate: { x: 1 } },
    });
    const pending = fetch(`${running.urls.x}/2/users/1`).then(
      (r) => r.status,
      () => 'aborted',
    );
    // Wait until the request has reached the simulator (and hangs there).
    while (!(await hasRequest(running.urls.admin))) await new Promise((r) => setImmediate(r));
    await running.close();
    expect(['aborted', 504]).toContain(await pending);
  });
});

async function hasRequest(adminUrl: string): Promise<boolean> {
  const stats = (await (await fetch(`${adminUrl}/stats`)).json()) as { requests: { x: number } };
  return stats.requests.x > 0;
}
