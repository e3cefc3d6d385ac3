import { describe, expect, it } from 'vitest';
import { account, admin, bearer, get, json, linkedinHeaders, makeSim, NOW, posts } from './helpers.js';

const enc = encodeURIComponent;

interface Paged<T> {
  paging: { start: number; count: number; links: Array<{ rel: string; href: string }>; total?: number };
  elements: T[];
}
interface Stat {
  totalShareStatistics: Record<string, number>;
  share?: string;
  ugcPost?: string;
  organizationalEntity: string;
}

function statsUrl(org: string, param: 'shares' | 'ugcPosts', urns: string[]): string {
  return `/linkedin/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${enc(org)}&${param}=List(${urns.map(enc).join(',')})`;
}

describe('LinkedIn versioning and protocol headers', () => {
  it('rejects a missing version, a sunset or unknown version, and a missing Rest.li protocol header', async () => {
    const sim = makeSim();
    const li = account(sim, 'linkedin');
    const path = `/linkedin/rest/networkSizes/${enc(li.account_ref)}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`;
    const missing = await get(sim, path, { ...bearer(li.token), 'X-Restli-Protocol-Version': '2.0.0' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      status: 400,
      code: 'VERSION_MISSING',
      message: 'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
    });
    for (const version of ['202405', '20200615', '202701']) {
      const res = await get(sim, path, linkedinHeaders(li.token, version));
      expect(res.status).toBe(426);
      expect(await res.json()).toEqual({
        status: 426,
        code: 'NONEXISTENT_VERSION',
        message: `Requested version ${version} is not active`,
      });
    }
    expect((await get(sim, path, linkedinHeaders(li.token, '202511'))).status).toBe(200);
    expect((await get(sim, path, linkedinHeaders(li.token, '202611.01'))).status).toBe(200);
    const noRestli = await get(sim, path, { ...bearer(li.token), 'LinkedIn-Version': '202611' });
    expect(noRestli.status).toBe(400);
  });
});

describe('LinkedIn auth', () => {
  it('answers 401 with LinkedIn bodies for empty, invalid, expired and revoked tokens', async () => {
    const sim = makeSim();
    const li = account(sim, 'linkedin');
    const path = `/linkedin/rest/networkSizes/${enc(li.account_ref)}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`;
    const h = { 'LinkedIn-Version': '202611', 'X-Restli-Protocol-Version': '2.0.0' };
    const empty = await get(sim, path, h);
    expect(empty.status).toBe(401);
    expect(await empty.json()).toMatchObject({ status: 401, code: 'EMPTY_ACCESS_TOKEN' });
    expect(await json(await get(sim, path, linkedinHeaders('bogus')))).toEqual({
      status: 401,
      serviceErrorCode: 65600,
      code: 'INVALID_ACCESS_TOKEN',
      message: 'Invalid access token',
    });
    await admin(sim, `/tokens/${li.token}/revoke`);
    const revoked = await get(sim, path, linkedinHeaders(li.token));
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toEqual({
      status: 401,
      serviceErrorCode: 65601,
      code: 'REVOKED_ACCESS_TOKEN',
      message: 'The token used in the request has been revoked by the user',
    });
    await admin(sim, `/tokens/${li.token}/restore`);
    await admin(sim, `/tokens/${li.token}/expire`);
    const expired = await json(await get(sim, path, linkedinHeaders(li.token)));
    expect(expired).toMatchObject({ status: 401, code: 'EXPIRED_ACCESS_TOKEN' });
  });
});

describe('LinkedIn GET /rest/posts?q=author', () => {
  it('pages with start/count and sees every post exactly once, newest first, epoch-ms times', async () => {
    const sim = makeSim({ postsPerAccount: 47 });
    const li = account(sim, 'linkedin');
    const seen: string[] = [];
    let start = 0;
    for (;;) {
      const body = await json<Paged<{ id: string; author: string; publishedAt: number; commentary: string }>>(
        await get(
          sim,
          `/linkedin/rest/posts?q=author&author=${enc(li.account_ref)}&start=${start}&count=10`,
          linkedinHeaders(li.token),
        ),
      );
      expect(body.paging.start).toBe(start);
      expect(body.paging.total).toBe(47);
      for (const p of body.elements) {
        expect(p.author).toBe(li.account_ref);
        expect(typeof p.publishedAt).toBe('number');
        seen.push(p.id);
      }
      const next = body.paging.links.find((l) => l.rel === 'next');
      if (!next) break;
      expect(next.href).toContain(`start=${start + 10}`);
      start += 10;
    }
    expect(seen).toEqual(posts(li).map((p) => p.id));
    const first = posts(li)[0];
    const one = await json<{ publishedAt: number; commentary: string }>(
      await get(sim, `/linkedin/rest/posts/${enc(first?.id ?? '')}`, linkedinHeaders(li.token)),
    );
    expect(one.publishedAt).toBe(Date.parse(first?.published_at ?? ''));
    for (const tag of first?.hashtags ?? []) expect(one.commentary).toContain(`{hashtag|\\#|${tag}}`);
  });

  it("refuses another organization's posts with 403", async () => {
    const sim = makeSim();
    const li = account(sim, 'linkedin');
    const other = account(sim, 'linkedin', 1);
    const res = await get(
      sim,
      `/linkedin/rest/posts?q=author&author=${enc(other.account_ref)}`,
      linkedinHeaders(li.token),
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ status: 403, code: 'ACCESS_DENIED' });
  });
});

describe('LinkedIn organizationalEntityShareStatistics', () => {
  it('keys elements by share or ugcPost as requested, with truthful counts and engagement as a ratio', async () => {
    const sim = makeSim();
    const li = account(sim, 'linkedin');
    const shares = posts(li)
      .filter((p) => p.id.startsWith('urn:li:share:'))
      .slice(0, 3)
      .map((p) => p.id);
    const ugc = posts(li)
      .filter((p) => p.id.startsWith('urn:li:ugcPost:'))
      .slice(0, 2)
      .map((p) => p.id);
    const s = await json<Paged<Stat>>(
      await get(sim, statsUrl(li.account_ref, 'shares', shares), linkedinHeaders(li.token)),
    );
    expect(s.elements.map((e) => e.share)).toEqual(shares);
    for (const e of s.elements) {
      expect(e.ugcPost).toBeUndefined();
      expect(e.organizationalEntity).toBe(li.account_ref);
      const truth = sim.metricsAt('linkedin', e.share ?? '');
      expect(e.totalShareStatistics).toMatchObject({
        impressionCount: truth?.metrics.impressions,
        uniqueImpressionsCount: truth?.metrics.reach,
        likeCount: truth?.metrics.likes,
        commentCount: truth?.metrics.comments,
        shareCount: truth?.metrics.shares,
        clickCount: truth?.metrics.clicks,
      });
      expect(e.totalShareStatistics.engagement).toBeGreaterThan(0);
      expect(e.totalShareStatistics.engagement).toBeLessThan(1);
    }
    const u = await json<Paged<Stat>>(
      await get(sim, statsUrl(li.account_ref, 'ugcPosts', ugc), linkedinHeaders(li.token)),
    );
    expect(u.elements.map((e) => e.ugcPost)).toEqual(ugc);
    // A ugcPost URN in shares=List(...) is simply not answered.
    const mixed = await json<Paged<Stat>>(
      await get(sim, statsUrl(li.account_ref, 'shares', ugc), linkedinHeaders(li.token)),
    );
    expect(mixed.elements).toEqual([]);
  });

  it('requires URL-encoded URNs inside List()', async () => {
    const sim = makeSim();
    const li = account(sim, 'linkedin');
    const urn = posts(li)[0]?.id ?? '';
    const raw = `/linkedin/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${enc(li.account_ref)}&shares=List(${urn})`;
    expect((await get(sim, raw, linkedinHeaders(li.token))).status).toBe(400);
  });

  it('answers lifetime organization totals without a list', async () => {
    const sim = makeSim();
    const li = account(sim, 'linkedin');
    const body = await json<Paged<Stat>>(
      await get(
        sim,
        `/linkedin/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${enc(li.account_ref)}`,
        linkedinHeaders(li.token),
      ),
    );
    const total = posts(li).reduce(
      (s, p) => s + (sim.metricsAt('linkedin', p.id)?.metrics.impressions ?? 0),
      0,
    );
    expect(body.elements[0]?.totalShareStatistics.impressionCount).toBe(total);
  });

  it('only covers a rolling 12 months', async () => {
    const sim = makeSim({ days: 500, postsPerAccount: 100 });
    const li = account(sim, 'linkedin');
    const old = posts(li).filter(
      (p) => Date.parse(NOW) - Date.parse(p.published_at) > 366 * 86_400_000 && p.id.includes(':share:'),
    );
    expect(old.length).toBeGreaterThan(0);
    const body = await json<Paged<Stat>>(
      await get(
        sim,
        statsUrl(
          li.account_ref,
          'shares',
          old.map((p) => p.id),
        ),
        linkedinHeaders(li.token),
      ),
    );
    expect(body.elements).toEqual([]);
  });

  it('faults: leaves URNs out of elements and reports negative likeCount', async () => {
    const sim = makeSim();
    const li = account(sim, 'linkedin');
    const shares = posts(li)
      .filter((p) => p.id.includes(':share:'))
      .map((p) => p.id);
    await admin(sim, '/faults', { linkedin_omit_share: 0.5 });
    const body = await json<Paged<Stat>>(
      await get(sim, statsUrl(li.account_ref, 'shares', shares), linkedinHeaders(li.token)),
    );
    expect(body.elements.length).toBeGreaterThan(0);
    expect(body.elements.length).toBeLessThan(shares.length);
    await admin(sim, '/faults', { linkedin_omit_share: 0, linkedin_negative_likes_share: 1 });
    const neg = await json<Paged<Stat>>(
      await get(sim, statsUrl(li.account_ref, 'shares', shares.slice(0, 3)), linkedinHeaders(li.token)),
    );
    expect(neg.elements).toHaveLength(3);
    for (const e of neg.elements) expect(e.totalShareStatistics.likeCount).toBeLessThan(0);
  });
});

describe('LinkedIn socialMetadata', () => {
  it('answers reactions by type and comment counts for one URN and for a batch', async () => {
    const sim = makeSim();
    const li = account(sim, 'linkedin');
    const [a, b] = posts(li);
    if (!a || !b) throw new Error('fixture');
    const one = await json<{
      reactionSummaries: Record<string, { reactionType: string; count: number }>;
      commentSummary: { count: number };
      entity: string;
    }>(await get(sim, `/linkedin/rest/socialMetadata/${enc(a.id)}`, linkedinHeaders(li.token)));
    const truth = sim.metricsAt('linkedin', a.id);
    expect(one.entity).toBe(a.id);
    expect(one.commentSummary.count).toBe(truth?.metrics.comments);
    const sum = Object.values(one.reactionSummaries).reduce((s, r) => s + r.count, 0);
    expect(sum).toBe(truth?.metrics.likes);
    for (const [type, r] of Object.entries(one.reactionSummaries)) {
      expect(r.reactionType).toBe(type);
      expect(r.count).toBeGreaterThan(0);
    }
    const batch = await json<{
      results: Record<string, unknown>;
      statuses: Record<string, number>;
      errors: Record<string, unknown>;
    }>(
      await get(
        sim,
        `/linkedin/rest/socialMetadata?ids=List(${enc(a.id)},${enc(b.id)},${enc('urn:li:share:1')})`,
        linkedinHeaders(li.token),
      ),
    );
    expect(Object.keys(batch.results)).toEqual([a.id, b.id]);
    expect(batch.statuses).toEqual({ [a.id]: 200, [b.id]: 200, 'urn:li:share:1': 404 });
    expect(
      (await get(sim, `/linkedin/rest/socialMetadata/${enc('urn:li:share:1')}`, linkedinHeaders(li.token)))
        .status,
    ).toBe(404);
  });
});

describe('LinkedIn follower statistics and network size', () => {
  it('answers lifetime follower demographics, daily gains and the follower count', async () => {
    const sim = makeSim();
    const li = account(sim, 'linkedin');
    const size = await json<{ firstDegreeSize: number }>(
      await get(
        sim,
        `/linkedin/rest/networkSizes/${enc(li.account_ref)}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`,
        linkedinHeaders(li.token),
      ),
    );
    const lifetime = await json<
      Paged<{ followerCountsBySeniority: Array<{ followerCounts: { organicFollowerCount: number } }> }>
    >(
      await get(
        sim,
        `/linkedin/rest/organizationalEntityFollowerStatistics?q=organizationalEntity&organizationalEntity=${enc(li.account_ref)}`,
        linkedinHeaders(li.token),
      ),
    );
    const bySeniority = lifetime.elements[0]?.followerCountsBySeniority ?? [];
    expect(bySeniority.reduce((s, x) => s + x.followerCounts.organicFollowerCount, 0)).toBe(
      size.firstDegreeSize,
    );
    const start = Date.parse('2026-11-10T00:00:00Z');
    const end = Date.parse('2026-11-17T00:00:00Z');
    const gains = await json<
      Paged<{ timeRange: { start: number; end: number }; followerGains: { organicFollowerGain: number } }>
    >(
      await get(
        sim,
        `/linkedin/rest/organizationalEntityFollowerStatistics?q=organizationalEntity&organizationalEntity=${enc(li.account_ref)}&timeIntervals=(timeRange:(start:${start},end:${end}),timeGranularityType:DAY)`,
        linkedinHeaders(li.token),
      ),
    );
    expect(gains.elements).toHaveLength(7);
    expect(gains.elements[0]?.timeRange).toEqual({ start, end: start + 86_400_000 });
    for (const e of gains.elements) expect(e.followerGains.organicFollowerGain).toBeGreaterThanOrEqual(0);
  });
});

describe('LinkedIn daily throttles', () => {
  it('answers 429 without rate-limit headers, resets at 00:00 UTC, and counts only calls after the first 429', async () => {
    const sim = makeSim({ limits: { linkedin: { memberDaily: 2, appDaily: 100 } } });
    const li = account(sim, 'linkedin');
    const path = `/linkedin/rest/networkSizes/${enc(li.account_ref)}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`;
    expect((await get(sim, path, linkedinHeaders(li.token))).status).toBe(200);
    expect((await get(sim, path, linkedinHeaders(li.token))).status).toBe(200);
    const limited = await get(sim, path, linkedinHeaders(li.token));
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({
      status: 429,
      serviceErrorCode: 101,
      code: 'TOO_MANY_REQUESTS',
      message: 'Resource level throttle MEMBER DAY limit for calls to this resource is reached.',
    });
    expect([...limited.headers.keys()].filter((h) => h.includes('rate') || h === 'retry-after')).toEqual([]);
    expect(sim.violations.total()).toBe(0);
    expect((await get(sim, path, linkedinHeaders(li.token))).status).toBe(429);
    expect(sim.violations.report().entries).toEqual([
      expect.objectContaining({
        api: 'linkedin',
        caller: li.account_id,
        scope: 'networkSizes:MEMBER',
        count: 1,
      }),
    ]);
    // Another resource has its own quota.
    const other = await get(
      sim,
      `/linkedin/rest/socialMetadata/${enc(posts(li)[0]?.id ?? '')}`,
      linkedinHeaders(li.token),
    );
    expect(other.status).toBe(200);
    sim.clock.set(Date.parse('2026-11-18T23:59:59Z'));
    expect((await get(sim, path, linkedinHeaders(li.token))).status).toBe(429);
    sim.clock.set(Date.parse('2026-11-19T00:00:00Z'));
    expect((await get(sim, path, linkedinHeaders(li.token))).status).toBe(200);
  });

  it('throttles the whole application', async () => {
    const sim = makeSim({ limits: { linkedin: { memberDaily: 100, appDaily: 1 } } });
    const a = account(sim, 'linkedin');
    const b = account(sim, 'linkedin', 1);
    const path = (x: typeof a) =>
      `/linkedin/rest/networkSizes/${enc(x.account_ref)}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`;
    expect((await get(sim, path(a), linkedinHeaders(a.token))).status).toBe(200);
    const res = await get(sim, path(b), linkedinHeaders(b.token));
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({
      message: 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.',
    });
  });
});
