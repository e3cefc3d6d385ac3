import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../src/formats.js';
import { createSimApp, World } from '../src/index.js';
import { localTime } from '../src/world/timezone.js';
import { makeSim } from './helpers.js';

const anchor = Date.parse('2026-11-18T00:00:00Z');

describe('world generation', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = makeSim({ seed: 11 }).truth();
    const b = makeSim({ seed: 11 }).truth();
    const c = makeSim({ seed: 12 }).truth();
    expect(b).toEqual(a);
    expect(c.accounts.map((x) => x.account_id)).not.toEqual(a.accounts.map((x) => x.account_id));
    expect(c.accounts[0]?.posts?.[0]?.id).not.toEqual(a.accounts[0]?.posts?.[0]?.id);
  });

  it('builds tenants × platforms × accounts with the configured number of posts', () => {
    const sim = makeSim({ tenants: 3, accountsPerPlatform: 2, postsPerAccount: 25 });
    const truth = sim.truth();
    expect(truth.accounts).toHaveLength(3 * 4 * 2);
    expect(new Set(truth.accounts.map((a) => a.tenant_id)).size).toBe(3);
    for (const a of truth.accounts) {
      expect(a.posts).toHaveLength(25);
      expect(a.token).toMatch(new RegExp(`^sim_${a.platform}_[0-9a-f]{32}$`));
    }
    expect(new Set(truth.accounts.map((a) => a.token)).size).toBe(truth.accounts.length);
  });

  it('uses each platform id format', () => {
    const truth = makeSim().truth();
    for (const a of truth.accounts) {
      for (const p of a.posts ?? []) {
        if (a.platform === 'twitter') {
          expect(p.id).toMatch(/^\d{19}$/);
          expect(BigInt(p.id) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
        }
        if (a.platform === 'linkedin') expect(p.id).toMatch(/^urn:li:(share|ugcPost):\d{19}$/);
        if (a.platform === 'facebook') expect(p.id).toMatch(new RegExp(`^${a.account_id}_\\d{15}$`));
        if (a.platform === 'instagram') expect(p.id).toMatch(/^\d{17}$/);
      }
      if (a.platform === 'linkedin') expect(a.account_ref).toBe(`urn:li:organization:${a.account_id}`);
    }
  });

  it('publishes inside the configured past window with a mix of content types and hashtags', () => {
    const sim = makeSim({ days: 30, postsPerAccount: 200, anchor: anchor });
    const all = sim.truth().accounts.flatMap((a) => a.posts ?? []);
    for (const p of all) {
      const t = Date.parse(p.published_at);
      expect(t).toBeGreaterThanOrEqual(anchor - 30 * DAY_MS);
      expect(t).toBeLessThan(anchor);
      expect(p.text_length).toBe(p.text.length);
    }
    expect(new Set(all.map((p) => p.content_type))).toEqual(
      new Set(['text', 'image', 'video', 'link', 'carousel']),
    );
    expect(all.some((p) => p.hashtags.length >= 2)).toBe(true);
    expect(all.some((p) => p.hashtags.length === 0)).toBe(true);
  });

  it('computes local weekday and hour with DST (Europe/Berlin around the October switch)', () => {
    // 2026-10-25 01:30 UTC is 03:30 CEST→ after the switch at 01:00 UTC it is 02:30 CET.
    expect(localTime('Europe/Berlin', Date.parse('2026-10-25T00:30:00Z')).hour).toBe(2);
    expect(localTime('Europe/Berlin', Date.parse('2026-10-25T01:30:00Z')).hour).toBe(2);
    expect(localTime('Europe/Berlin', Date.parse('2026-10-25T02:30:00Z')).hour).toBe(3);
    expect(localTime('America/New_York', Date.parse('2026-07-01T03:00:00Z'))).toEqual({
      weekday: 1,
      hour: 23,
    });
    expect(localTime('Asia/Kolkata', Date.parse('2026-11-18T18:29:00Z'))).toEqual({ weekday: 2, hour: 23 });
  });

  it('lists for each post its local weekday/hour consistent with the account timezone', () => {
    const truth = makeSim().truth();
    for (const a of truth.accounts) {
      for (const p of (a.posts ?? []).slice(0, 10)) {
        const local = localTime(a.timezone, Date.parse(p.published_at));
        expect(p.local_hour).toBe(local.hour);
        expect(truth.multipliers.weekdays[local.weekday]).toBe(p.local_weekday);
      }
    }
  });

  it('generates 100k posts lazily: accounts first, posts on demand', () => {
    const world = new World({
      seed: 1,
      tenants: 50,
      accountsPerPlatform: 1,
      postsPerAccount: 500,
      days: 120,
      anchor,
      futureDays: 0,
    });
    expect(world.accounts).toHaveLength(200);
    expect(world.totalPosts()).toBe(100_000);
    let n = 0;
    for (const _ of world.allPosts()) n++;
    expect(n).toBe(100_000);
  });
});

describe('metrics', () => {
  it('are a pure, monotone non-decreasing function of post and time', () => {
    const sim = makeSim();
    const world = sim.world;
    const other = makeSim().world;
    for (const account of world.accounts) {
      for (const post of world.posts(account).slice(0, 15)) {
        let prev = world.metricsAt(post, post.publishedAt - 1000);
        expect(prev.impressions).toBe(0);
        const keys = [
          'impressions',
          'reach',
          'clicks',
          'likes',
          'comments',
          'shares',
          'saves',
          'video_views',
        ] as const;
        const broken: string[] = [];
        for (let h = 0; h <= 24 * 100; h += 7) {
          const m = world.metricsAt(post, post.publishedAt + h * 3_600_000);
          for (const key of keys) if (m[key] < prev[key]) broken.push(`${post.id} ${key} @${h}h`);
          if (m.reach > m.impressions) broken.push(`${post.id} reach > impressions @${h}h`);
          prev = m;
        }
        expect(broken).toEqual([]);
        expect(prev.impressions).toBeGreaterThan(0);
        const twin = other.post(account.platform, post.id);
        if (!twin) throw new Error('twin missing');
        expect(other.metricsAt(twin, anchor)).toEqual(world.metricsAt(post, anchor));
      }
    }
  });

  it('saturate: most of the lifetime total arrives in the first days', () => {
    const world = makeSim().world;
    const post = world.posts(world.accounts[0] ?? (undefined as never))[0];
    if (!post) throw new Error('no post');
    const day3 = world.metricsAt(post, post.publishedAt + 3 * DAY_MS).impressions;
    const day90 = world.metricsAt(post, post.publishedAt + 90 * DAY_MS).impressions;
    expect(day3 / day90).toBeGreaterThan(0.85);
    expect(day90).toBeGreaterThan(day3);
  });

  it('carry the planted signal: engagement rate follows the multipliers, and viral outliers exist', () => {
    const sim = createSimApp({ seed: 3, now: anchor, anchor, tenants: 10, postsPerAccount: 400 });
    const { world } = sim;
    const rows: Array<{ m: number; er: number; type: string; viral: boolean; imp: number }> = [];
    for (const p of world.allPosts()) {
      if (p.account.platform !== 'linkedin' && p.account.platform !== 'facebook') continue;
      const m = world.metricsAt(p, anchor + 60 * DAY_MS);
      if (m.impressions < 50) continue;
      rows.push({
        m: p.multiplier,
        er: (m.likes + m.comments + m.shares) / m.impressions,
        type: p.contentType,
        viral: p.viral,
        imp: m.impressions,
      });
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const er = (type: string) => mean(rows.filter((r) => r.type === type && !r.viral).map((r) => r.er));
    expect(er('video')).toBeGreaterThan(er('text') * 1.3);
    expect(er('link')).toBeLessThan(er('image'));
    // Rate / multiplier is roughly constant: correlation between them is strong.
    const ms = rows.map((r) => r.m);
    const ers = rows.map((r) => r.er);
    const mx = mean(ms);
    const my = mean(ers);
    let cov = 0;
    let vx = 0;
    let vy = 0;
    rows.forEach((r) => {
      cov += (r.m - mx) * (r.er - my);
      vx += (r.m - mx) ** 2;
      vy += (r.er - my) ** 2;
    });
    expect(cov / Math.sqrt(vx * vy)).toBeGreaterThan(0.6);
    const viral = [...world.allPosts()].filter((p) => p.viral);
    expect(viral.length).toBeGreaterThan(0);
  });

  it('grow followers over time', () => {
    const world = makeSim().world;
    const a = world.accounts[0];
    if (!a) throw new Error('no account');
    expect(world.followersAt(a, anchor)).toBeGreaterThan(world.followersAt(a, anchor - 60 * DAY_MS));
  });
});
