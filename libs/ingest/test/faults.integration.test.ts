// The three services side by side on a compressed clock with the simulator's faults switched on:
// expired and revoked tokens, deleted posts, retired Meta metrics, Instagram insights lag, LinkedIn
// URNs left out of statistics and negative like counts.
import { parseConfig } from '@postpulse/config';
import type { Platform } from '@postpulse/contracts';
import { linkedinConfigSchema } from '@postpulse/ingest-linkedin/config';
import { startLinkedInIngest } from '@postpulse/ingest-linkedin/service';
import { metaConfigSchema } from '@postpulse/ingest-meta/config';
import { startMetaIngest } from '@postpulse/ingest-meta/service';
import { twitterConfigSchema } from '@postpulse/ingest-twitter/config';
import { startTwitterIngest } from '@postpulse/ingest-twitter/service';
import { uniqueGroupId } from '@postpulse/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestService } from '../src/index.js';
import { createRig, type Rig } from './harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const start = Date.UTC(2026, 10, 20, 0, 0, 0);
const faultAt = start + DAY;
const end = start + 2 * DAY;
const ALL: Platform[] = ['twitter', 'linkedin', 'facebook', 'instagram'];

let rig: Rig;
let services: IngestService[] = [];
const callsByToken = new Map<string, number>();
let callsAfterFlag = new Map<string, number>();
const badTokens: string[] = [];
const deleted = new Map<Platform, string[]>();

const countingFetch: typeof fetch = (input, init) => {
  const auth = new Headers(init?.headers).get('authorization') ?? '';
  const token = auth.replace(/^Bearer\s+/i, '');
  callsByToken.set(token, (callsByToken.get(token) ?? 0) + 1);
  return fetch(input, init);
};

beforeAll(async () => {
  rig = await createRig({
    start,
    seed: 23,
    tenants: 3,
    accountsPerPlatform: 1,
    postsPerAccount: 30,
    days: 60,
    anchor: start + 2 * DAY,
    faults: {
      linkedin_omit_share: 0.2,
      linkedin_negative_likes_share: 0.2,
      instagram_insights_lag_hours: 48,
    },
  });
  await rig.connect(ALL);
  const env = {
    ...rig.env,
    // Retired metrics first in each list: Meta does not name the Facebook one (bisection), names Instagram's by index.
    META_FACEBOOK_METRICS:
      'post_impressions,post_media_view,post_total_media_view_unique,post_clicks,post_reactions_by_type_total,post_video_views',
    META_INSTAGRAM_METRICS: 'reach,impressions,likes,comments,shares,saved,views',
  };
  const extra = {
    clock: rig.clock,
    logger: rig.logger,
    topics: rig.topics,
    redisKeyPrefix: rig.redisKeyPrefix,
    fetch: countingFetch,
  };
  services = await Promise.all([
    startTwitterIngest(
      parseConfig(twitterConfigSchema, { ...env, REFRESH_GROUP_ID: uniqueGroupId('x') }),
      extra,
    ),
    startLinkedInIngest(
      parseConfig(linkedinConfigSchema, { ...env, REFRESH_GROUP_ID: uniqueGroupId('li') }),
      extra,
    ),
    startMetaIngest(
      parseConfig(metaConfigSchema, { ...env, REFRESH_GROUP_ID: uniqueGroupId('meta') }),
      extra,
    ),
  ]);
  await rig.drive(services, ALL, faultAt, HOUR);

  // A day in: tenant 1's tokens die (expired on X and Facebook, revoked on LinkedIn and Instagram),
  // and two posts of tenant 0 per platform are deleted.
  const world = rig.sim.sim.world;
  const tenants = [...new Set(rig.truthAccounts('twitter').map((a) => a.tenant_id))];
  for (const platform of ALL) {
    const victim = rig.truthAccounts(platform).find((a) => a.tenant_id === tenants[1]);
    if (!victim) throw new Error('no account');
    badTokens.push(victim.token);
    if (platform === 'twitter' || platform === 'facebook') rig.sim.sim.tokens.expire(victim.token, faultAt);
    else rig.sim.sim.tokens.revoke(victim.token, 'revoked');
    const owner = rig.truthAccounts(platform).find((a) => a.tenant_id === tenants[0]);
    const acc = owner ? world.account(platform, owner.account_id) : undefined;
    const seen = new Set(rig.collected.posts.map((e) => e.platform_post_id));
    const ids = (acc ? world.posts(acc) : [])
      .filter((p) => seen.has(p.id))
      .slice(0, 2)
      .map((p) => p.id);
    deleted.set(platform, ids);
  }
  rig.sim.sim.faults.apply({ deleted_posts: [...deleted.values()].flat() });
  await rig.drive(services, ALL, faultAt + 2 * HOUR, HOUR);
  callsAfterFlag = new Map(badTokens.map((t) => [t, callsByToken.get(t) ?? 0]));
  await rig.drive(services, ALL, end, HOUR);
  await rig.drained();
}, 300_000);

afterAll(() => rig?.close(services));

describe('ingest under faults', () => {
  it('still never sends a call the platform would refuse', () => {
    expect(rig.sim.sim.violations.report()).toMatchObject({ total: 0 });
  });

  it('expired and revoked tokens flag the account once, publish one status event, and stop the calls', async () => {
    const rows = await rig.database.db
      .selectFrom('platform_accounts')
      .select(['platform', 'status', 'status_reason', 'account_id'])
      .execute();
    const flagged = rows.filter((r) => r.status === 'needs_reauth');
    expect(flagged.map((r) => r.platform).sort()).toEqual([...ALL].sort());
    expect(flagged.find((r) => r.platform === 'twitter')?.status_reason).toMatch(/^auth_/);
    expect(flagged.find((r) => r.platform === 'facebook')?.status_reason).toMatch(/^auth_expired/);
    expect(flagged.find((r) => r.platform === 'linkedin')?.status_reason).toMatch(/^auth_revoked/);
    const events = rig.collected.status.filter((e) => e.status === 'needs_reauth');
    expect(events.map((e) => e.platform).sort()).toEqual([...ALL].sort());
    for (const token of badTokens) expect(callsByToken.get(token)).toBe(callsAfterFlag.get(token));
  });

  it('deleted posts leave the schedule; the rest of their batch is still refreshed', async () => {
    for (const [platform, ids] of deleted) {
      expect(ids.length).toBe(2);
      const rows = await rig.database.db
        .selectFrom('ingest_posts')
        .select(['platform_post_id', 'state', 'next_refresh_at'])
        .where('platform_post_id', 'in', ids)
        .execute();
      expect(rows.map((r) => [r.state, r.next_refresh_at])).toEqual([
        ['deleted', null],
        ['deleted', null],
      ]);
      const late = rig.collected.posts.filter(
        (e) => ids.includes(e.platform_post_id) && Date.parse(e.observed_at) > faultAt,
      );
      expect(late).toEqual([]);
      const account = rig.collected.posts.find((e) => e.platform_post_id === ids[0])?.account_id;
      const others = rig.collected.posts.filter(
        (e) =>
          e.platform === platform &&
          e.account_id === account &&
          !ids.includes(e.platform_post_id) &&
          Date.parse(e.observed_at) > faultAt,
      );
      expect(others.length).toBeGreaterThan(0);
    }
  });

  it('retired Meta metrics are found, remembered and dropped; no other metric is lost', async () => {
    const retired = await rig.database.db
      .selectFrom('platform_retired_metrics')
      .select(['platform', 'metric'])
      .orderBy('platform')
      .execute();
    expect(retired).toEqual([
      { platform: 'facebook', metric: 'post_impressions' },
      { platform: 'instagram', metric: 'impressions' },
    ]);
    const fb = rig.collected.posts.filter((e) => e.platform === 'facebook');
    expect(fb.length).toBeGreaterThan(20);
    for (const e of fb) {
      const truth = rig.sim.sim.metricsAt('facebook', e.platform_post_id, Date.parse(e.observed_at));
      expect([e.metrics.impressions, e.metrics.reach, e.metrics.clicks, e.metrics.reactions_count]).toEqual([
        truth?.metrics.impressions,
        truth?.metrics.reach,
        truth?.metrics.clicks,
        truth?.metrics.likes,
      ]);
    }
  });

  it('Instagram insights not ready (data: []) stay unknown, never 0; the counts the media carries are kept', () => {
    const world = rig.sim.sim.world;
    const ig = rig.collected.posts.filter((e) => e.platform === 'instagram');
    let lagging = 0;
    for (const e of ig) {
      const at = Date.parse(e.observed_at);
      const post = world.post('instagram', e.platform_post_id);
      const truth = rig.sim.sim.metricsAt('instagram', e.platform_post_id, at);
      if (!post || !truth) throw new Error(e.platform_post_id);
      expect(e.metrics.comments_count).toBe(truth.metrics.comments);
      if (at - post.publishedAt < 48 * HOUR) {
        lagging++;
        expect([e.metrics.impressions, e.metrics.reach, e.metrics.saves_count]).toEqual([null, null, null]);
      } else {
        expect([e.metrics.impressions, e.metrics.reach]).toEqual([
          truth.metrics.impressions,
          truth.metrics.reach,
        ]);
      }
    }
    expect(lagging).toBeGreaterThan(0);
  });

  it('LinkedIn: URNs missing from statistics publish nothing and stay scheduled; negative likes become null', async () => {
    const faults = rig.sim.sim.faults;
    const li = rig.collected.posts.filter((e) => e.platform === 'linkedin');
    expect(li.some((e) => faults.linkedinOmits(e.platform_post_id))).toBe(false);
    const omitted = await rig.database.db
      .selectFrom('ingest_posts')
      .select(['platform_post_id', 'state'])
      .where('platform', '=', 'linkedin')
      .execute();
    const missing = omitted.filter((r) => faults.linkedinOmits(r.platform_post_id));
    expect(missing.length).toBeGreaterThan(0);
    expect(
      missing.every((r) => r.state === 'active' || deleted.get('linkedin')?.includes(r.platform_post_id)),
    ).toBe(true);
    const negative = li.filter((e) => faults.linkedinNegativeLikes(e.platform_post_id));
    expect(negative.length).toBeGreaterThan(0);
    for (const e of negative) expect(e.metrics.likes_count).toBeNull();
    for (const e of li.filter((x) => !faults.linkedinNegativeLikes(x.platform_post_id))) {
      expect(e.metrics.likes_count).toBe(
        rig.sim.sim.metricsAt('linkedin', e.platform_post_id, Date.parse(e.observed_at))?.metrics.likes,
      );
    }
    expect(rig.logLines.some((l) => l.includes('negative counts from LinkedIn'))).toBe(true);
  });
});
