// LinkedIn Community Management API (`/rest`): posts finder, share statistics, social metadata,
// follower statistics and network sizes, with Rest.li 2.0 syntax, version headers and LinkedIn's
// error bodies. Daily throttles answer 429 without any rate-limit header.
import { type Context, Hono } from 'hono';
import { bearer } from '../auth.js';
import { DAY_MS } from '../formats.js';
import { unitFromKey } from '../prng.js';
import { type Account, LINKEDIN_REACTIONS, type Post } from '../world/model.js';
import { faultMiddleware, type SimContext, visiblePosts } from './context.js';

/** Share statistics only cover a rolling 12 months. */
const STATISTICS_HORIZON = 365 * DAY_MS;
/** Versions stay active for a year after release. */
const ACTIVE_MONTHS = 12;

type Json = Record<string, unknown>;

function err(status: number, message: string, extra: Json = {}): Json {
  return { status, ...extra, message };
}

function isActiveVersion(version: string, now: number): boolean {
  const m = /^(\d{4})(\d{2})(?:\.\d{2})?$/.exec(version);
  if (!m) return false;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return false;
  const index = Number(m[1]) * 12 + month - 1;
  const d = new Date(now);
  const current = d.getUTCFullYear() * 12 + d.getUTCMonth();
  return index <= current && index >= current - ACTIVE_MONTHS;
}

/** Raw (still percent-encoded) value of a query parameter: Rest.li cares about the encoding. */
function rawQueryParam(url: string, name: string): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  for (const pair of url.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key === name) return eq < 0 ? '' : pair.slice(eq + 1);
  }
  return undefined;
}

class BadRequest extends Error {}

/** `List(urn%3Ali%3Ashare%3A1,urn%3Ali%3Ashare%3A2)` → decoded URNs; URNs must be encoded inside. */
function parseRestliList(raw: string): string[] {
  const m = /^List\((.*)\)$/.exec(raw.replace(/%28/gi, '(').replace(/%29/gi, ')'));
  if (!m) throw new BadRequest(`Invalid Rest.li list: ${raw}`);
  const inner = m[1] ?? '';
  if (inner === '') return [];
  return inner.split(/,|%2C/i).map((item) => {
    if (item.includes(':')) throw new BadRequest(`URN must be URL-encoded inside List(): ${item}`);
    return decodeURIComponent(item);
  });
}

function decodePathUrn(value: string): string {
  return value.includes('%') ? decodeURIComponent(value) : value;
}

/** `(timeRange:(start:1,end:2),timeGranularityType:DAY)` → range and granularity. */
function parseTimeIntervals(raw: string): { start: number; end: number; granularity: 'DAY' | 'MONTH' } {
  const text = decodeURIComponent(raw);
  const start = /start:(\d+)/.exec(text);
  const end = /end:(\d+)/.exec(text);
  const gran = /timeGranularityType:(DAY|MONTH)/.exec(text);
  if (!start?.[1] || !gran?.[1]) throw new BadRequest(`Invalid timeIntervals: ${text}`);
  return {
    start: Number(start[1]),
    end: end?.[1] ? Number(end[1]) : Number.POSITIVE_INFINITY,
    granularity: gran[1] === 'MONTH' ? 'MONTH' : 'DAY',
  };
}

/** LinkedIn "little text": hashtags are written as {hashtag|\#|tag}. */
function littleText(text: string): string {
  return text.replace(/#([A-Za-z0-9_]+)/g, (_m, tag: string) => `{hashtag|\\#|${tag}}`);
}

function postContent(post: Post): Json | undefined {
  const n = post.id.split(':').pop() ?? '0';
  switch (post.contentType) {
    case 'image':
      return { media: { id: `urn:li:image:D4E${n.slice(-12)}`, altText: '' } };
    case 'video':
      return { media: { id: `urn:li:video:D5E${n.slice(-12)}`, title: post.text.slice(0, 60) } };
    case 'link':
      return {
        article: {
          source: `https://blog.example.com/${post.account.handle}/${n.slice(-6)}`,
          title: post.text.slice(0, 70),
          description: 'Read the full story on our blog.',
        },
      };
    case 'carousel':
      return {
        multiImage: {
          images: [1, 2, 3].map((i) => ({ id: `urn:li:image:D4F${n.slice(-10)}${i}`, altText: '' })),
        },
      };
    case 'text':
      return undefined;
  }
}

function postObject(post: Post): Json {
  const o: Json = {
    id: post.id,
    author: post.account.accountRef,
    commentary: littleText(post.text),
    visibility: 'PUBLIC',
    lifecycleState: 'PUBLISHED',
    createdAt: post.publishedAt,
    publishedAt: post.publishedAt,
    lastModifiedAt: post.publishedAt,
    distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
    isReshareDisabledByAuthor: false,
    lifecycleStateInfo: { isEditedByAuthor: false },
  };
  const content = postContent(post);
  if (content) o.content = content;
  return o;
}

export function createLinkedInApp(sim: SimContext): Hono {
  const app = new Hono();
  app.use(
    '*',
    faultMiddleware(sim, 'linkedin', (status) =>
      err(status, status === 503 ? 'Service Unavailable' : 'Internal Server Error'),
    ),
  );

  /** Version and protocol headers, auth, then the daily quota of the resource. */
  const gate = (c: Context, resource: string): Account | Response => {
    const version = c.req.header('linkedin-version');
    if (!version) {
      return c.json(
        err(
          400,
          'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
          {
            code: 'VERSION_MISSING',
          },
        ),
        400,
      );
    }
    const now = sim.clock.now();
    if (!isActiveVersion(version, now)) {
      return c.json(
        err(426, `Requested version ${version} is not active`, { code: 'NONEXISTENT_VERSION' }),
        426,
      );
    }
    if (c.req.header('x-restli-protocol-version') !== '2.0.0') {
      return c.json(err(400, 'Invalid query parameters passed to request'), 400);
    }
    const token = bearer(c.req.header('authorization'));
    const state = sim.tokens.check(token);
    if (state.kind !== 'valid') {
      const body = !token
        ? err(401, 'Empty oauth2_access_token', { serviceErrorCode: 65604, code: 'EMPTY_ACCESS_TOKEN' })
        : state.kind === 'expired'
          ? err(401, 'The token used in the request has expired', {
              serviceErrorCode: 65602,
              code: 'EXPIRED_ACCESS_TOKEN',
            })
          : state.kind === 'revoked'
            ? err(401, 'The token used in the request has been revoked by the user', {
                serviceErrorCode: 65601,
                code: 'REVOKED_ACCESS_TOKEN',
              })
            : err(401, 'Invalid access token', { serviceErrorCode: 65600, code: 'INVALID_ACCESS_TOKEN' });
      return c.json(body, 401);
    }
    const d = sim.linkedin.check(resource, state.account.accountId, now);
    if (d.kind === 'limited') {
      sim.violations.noteThrottled();
      if (d.violation) {
        const caller = d.scope === 'APPLICATION' ? 'app' : state.account.accountId;
        sim.violations.record('linkedin', 'linkedin', caller, `${resource}:${d.scope}`, now);
      }
      return c.json(
        err(429, `Resource level throttle ${d.scope} DAY limit for calls to this resource is reached.`, {
          serviceErrorCode: 101,
          code: 'TOO_MANY_REQUESTS',
        }),
        429,
      );
    }
    return state.account;
  };

  const guarded = (c: Context, run: () => Response): Response => {
    try {
      return run();
    } catch (e) {
      if (e instanceof BadRequest) return c.json(err(400, e.message, { code: 'ILLEGAL_ARGUMENT' }), 400);
      throw e;
    }
  };

  const forbidden = (c: Context, what: string) =>
    c.json(
      err(403, `Not enough permissions to access: ${what}`, { serviceErrorCode: 100, code: 'ACCESS_DENIED' }),
      403,
    );

  /** The organization named by a parameter, which the token must administer. */
  const ownedOrganization = (c: Context, caller: Account, urn: string | undefined, what: string) => {
    if (!urn) throw new BadRequest('organizationalEntity is required');
    const m = /^urn:li:organization:(\d+)$/.exec(urn);
    if (!m?.[1]) throw new BadRequest(`Invalid organization URN: ${urn}`);
    const org = sim.world.account('linkedin', m[1]);
    if (!org || org !== caller) return forbidden(c, what);
    return org;
  };

  /** The `q=organizationalEntity` finder the statistics resources share. */
  const organizationFinder = (c: Context, caller: Account, resource: string) => {
    if (c.req.query('q') !== 'organizationalEntity')
      throw new BadRequest('Unsupported finder; use q=organizationalEntity');
    return ownedOrganization(
      c,
      caller,
      c.req.query('organizationalEntity'),
      `${resource}.FINDER-organizationalEntity`,
    );
  };

  const visible = (post: Post, now: number) => post.publishedAt <= now && !sim.faults.isDeleted(post.id);

  app.get('/rest/posts', (c) => {
    const caller = gate(c, 'posts');
    if (caller instanceof Response) return caller;
    return guarded(c, () => {
      if (c.req.query('q') !== 'author') throw new BadRequest('Unsupported finder; use q=author');
      const author = c.req.query('author');
      if (!author) throw new BadRequest('author is required for q=author');
      const org = ownedOrganization(c, caller, author, 'posts.FINDER-author');
      if (org instanceof Response) return org;
      const start = Number(c.req.query('start') ?? '0');
      const count = Number(c.req.query('count') ?? '10');
      if (!Number.isInteger(start) || start < 0)
        throw new BadRequest(`Invalid start: ${c.req.query('start')}`);
      if (!Number.isInteger(count) || count < 1 || count > 100) {
        throw new BadRequest(`Invalid count: ${c.req.query('count')}; count must be between 1 and 100`);
      }
      const now = sim.clock.now();
      const all = visiblePosts(sim, org, now);
      const page = all.slice(start, start + count);
      const links: Json[] = [];
      const href = (s: number) =>
        `/rest/posts?author=${encodeURIComponent(author)}&count=${count}&q=author&start=${s}`;
      if (start > 0)
        links.push({ type: 'application/json', rel: 'prev', href: href(Math.max(0, start - count)) });
      if (start + count < all.length)
        links.push({ type: 'application/json', rel: 'next', href: href(start + count) });
      return c.json({ paging: { start, count, links, total: all.length }, elements: page.map(postObject) });
    });
  });

  app.get('/rest/posts/:urn', (c) => {
    const caller = gate(c, 'posts');
    if (caller instanceof Response) return caller;
    const urn = decodePathUrn(c.req.param('urn'));
    const post = sim.world.post('linkedin', urn);
    if (!post || !visible(post, sim.clock.now())) return c.json(err(404, `Post ${urn} not found`), 404);
    if (post.account !== caller) return forbidden(c, 'posts.GET');
    return c.json(postObject(post));
  });

  const shareStatistics = (post: Post, now: number): Json => {
    const m = sim.world.metricsAt(post, now);
    const likeCount = sim.faults.linkedinNegativeLikes(post.id) ? -1 - (m.likes % 3) : m.likes;
    const engagement = m.impressions > 0 ? (m.clicks + m.likes + m.comments + m.shares) / m.impressions : 0;
    return {
      uniqueImpressionsCount: m.reach,
      shareCount: m.shares,
      engagement,
      clickCount: m.clicks,
      likeCount,
      impressionCount: m.impressions,
      commentCount: m.comments,
    };
  };

  app.get('/rest/organizationalEntityShareStatistics', (c) => {
    const caller = gate(c, 'organizationalEntityShareStatistics');
    if (caller instanceof Response) return caller;
    return guarded(c, () => {
      const org = organizationFinder(c, caller, 'organizationalEntityShareStatistics');
      if (org instanceof Response) return org;
      const now = sim.clock.now();
      const rawShares = rawQueryParam(c.req.url, 'shares');
      const rawUgc = rawQueryParam(c.req.url, 'ugcPosts');
      const inHorizon = (p: Post) => visible(p, now) && now - p.publishedAt <= STATISTICS_HORIZON;
      if (rawShares === undefined && rawUgc === undefined) {
        // Lifetime totals of the organization.
        const totals = {
          uniqueImpressionsCount: 0,
          shareCount: 0,
          clickCount: 0,
          likeCount: 0,
          impressionCount: 0,
          commentCount: 0,
        };
        for (const p of sim.world.posts(org)) {
          if (!inHorizon(p)) continue;
          const s = shareStatistics(p, now);
          totals.uniqueImpressionsCount += Number(s.uniqueImpressionsCount);
          totals.shareCount += Number(s.shareCount);
          totals.clickCount += Number(s.clickCount);
          totals.likeCount += Number(s.likeCount);
          totals.impressionCount += Number(s.impressionCount);
          totals.commentCount += Number(s.commentCount);
        }
        const engagement =
          totals.impressionCount > 0
            ? (totals.clickCount + totals.likeCount + totals.commentCount + totals.shareCount) /
              totals.impressionCount
            : 0;
        return c.json({
          paging: { start: 0, count: 10, links: [] },
          elements: [
            { totalShareStatistics: { ...totals, engagement }, organizationalEntity: org.accountRef },
          ],
        });
      }
      const elements: Json[] = [];
      for (const [raw, kind] of [
        [rawShares, 'share'],
        [rawUgc, 'ugcPost'],
      ] as const) {
        if (raw === undefined) continue;
        for (const urn of parseRestliList(raw)) {
          if (!urn.startsWith(`urn:li:${kind}:`)) continue;
          const post = sim.world.post('linkedin', urn);
          if (!post || post.account !== org || !inHorizon(post) || sim.faults.linkedinOmits(urn)) continue;
          elements.push({
            totalShareStatistics: shareStatistics(post, now),
            [kind]: urn,
            organizationalEntity: org.accountRef,
          });
        }
      }
      return c.json({ paging: { start: 0, count: 10, links: [] }, elements });
    });
  });

  const socialMetadata = (post: Post, now: number): Json => {
    const m = sim.world.metricsAt(post, now);
    const reactionSummaries: Json = {};
    for (const r of LINKEDIN_REACTIONS) {
      const count = m.reactions[r] ?? 0;
      if (count > 0) reactionSummaries[r] = { reactionType: r, count };
    }
    return {
      reactionSummaries,
      commentsState: 'OPEN',
      commentSummary: { count: m.comments, topLevelCount: Math.floor(m.comments * 0.8) },
      entity: post.id,
    };
  };

  app.get('/rest/socialMetadata/:urn', (c) => {
    const caller = gate(c, 'socialMetadata');
    if (caller instanceof Response) return caller;
    const urn = decodePathUrn(c.req.param('urn'));
    const now = sim.clock.now();
    const post = sim.world.post('linkedin', urn);
    if (!post || !visible(post, now)) return c.json(err(404, `Entity ${urn} not found`), 404);
    return c.json(socialMetadata(post, now));
  });

  app.get('/rest/socialMetadata', (c) => {
    const caller = gate(c, 'socialMetadata');
    if (caller instanceof Response) return caller;
    return guarded(c, () => {
      const raw = rawQueryParam(c.req.url, 'ids');
      if (raw === undefined) throw new BadRequest('ids is required');
      const now = sim.clock.now();
      const results: Json = {};
      const statuses: Json = {};
      const errors: Json = {};
      for (const urn of parseRestliList(raw)) {
        const post = sim.world.post('linkedin', urn);
        if (!post || !visible(post, now)) {
          statuses[urn] = 404;
          errors[urn] = err(404, `Entity ${urn} not found`);
        } else {
          statuses[urn] = 200;
          results[urn] = socialMetadata(post, now);
        }
      }
      return c.json({ results, statuses, errors });
    });
  });

  app.get('/rest/organizationalEntityFollowerStatistics', (c) => {
    const caller = gate(c, 'organizationalEntityFollowerStatistics');
    if (caller instanceof Response) return caller;
    return guarded(c, () => {
      const org = organizationFinder(c, caller, 'organizationalEntityFollowerStatistics');
      if (org instanceof Response) return org;
      const now = sim.clock.now();
      const rawIntervals = rawQueryParam(c.req.url, 'timeIntervals');
      if (rawIntervals !== undefined) {
        const { start, end, granularity } = parseTimeIntervals(rawIntervals);
        const elements: Json[] = [];
        const stop = Math.min(end, Math.floor(now / DAY_MS) * DAY_MS);
        for (let t = Math.floor(start / DAY_MS) * DAY_MS; t < stop; ) {
          const next =
            granularity === 'DAY'
              ? t + DAY_MS
              : Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth() + 1, 1);
          const bucketEnd = Math.min(next, stop);
          const gain = sim.world.followersAt(org, bucketEnd) - sim.world.followersAt(org, t);
          elements.push({
            timeRange: { start: t, end: bucketEnd },
            followerGains: { organicFollowerGain: gain, paidFollowerGain: 0 },
            organizationalEntity: org.accountRef,
          });
          t = next;
        }
        return c.json({ paging: { start: 0, count: 10, links: [] }, elements });
      }
      const total = sim.world.followersAt(org, now);
      const split = (labels: string[], key: string, salt: string) => {
        const weights = labels.map((l) => 0.2 + unitFromKey(org.key, salt, l));
        const sum = weights.reduce((s, w) => s + w, 0);
        let left = total;
        return labels.map((label, i) => {
          const n = i === labels.length - 1 ? left : Math.floor((total * (weights[i] ?? 0)) / sum);
          left -= n;
          return { [key]: label, followerCounts: { organicFollowerCount: n, paidFollowerCount: 0 } };
        });
      };
      return c.json({
        paging: { start: 0, count: 10, links: [] },
        elements: [
          {
            followerCountsByAssociationType: [
              {
                followerCounts: { organicFollowerCount: Math.floor(total * 0.03), paidFollowerCount: 0 },
                associationType: 'EMPLOYEE',
              },
            ],
            followerCountsBySeniority: split(
              ['urn:li:seniority:3', 'urn:li:seniority:4', 'urn:li:seniority:5', 'urn:li:seniority:6'],
              'seniority',
              'seniority',
            ),
            followerCountsByFunction: split(
              ['urn:li:function:4', 'urn:li:function:8', 'urn:li:function:15', 'urn:li:function:25'],
              'function',
              'function',
            ),
            followerCountsByGeoCountry: split(
              [
                'urn:li:geo:103644278',
                'urn:li:geo:101165590',
                'urn:li:geo:101282230',
                'urn:li:geo:102713980',
              ],
              'geo',
              'geo',
            ),
            organizationalEntity: org.accountRef,
          },
        ],
      });
    });
  });

  app.get('/rest/networkSizes/:urn', (c) => {
    const caller = gate(c, 'networkSizes');
    if (caller instanceof Response) return caller;
    return guarded(c, () => {
      if (c.req.query('edgeType') !== 'COMPANY_FOLLOWED_BY_MEMBER') {
        throw new BadRequest('edgeType must be COMPANY_FOLLOWED_BY_MEMBER');
      }
      const urn = decodePathUrn(c.req.param('urn'));
      const m = /^urn:li:organization:(\d+)$/.exec(urn);
      const org = m?.[1] ? sim.world.account('linkedin', m[1]) : undefined;
      if (!org) return c.json(err(404, `Organization ${urn} not found`), 404);
      // Follower counts of any organization are public.
      return c.json({ firstDegreeSize: sim.world.followersAt(org, sim.clock.now()) });
    });
  });

  // Mounted sub-apps don't get their own notFound, so a catch-all answers in the platform's voice.
  app.all('*', (c) => c.json(err(404, 'No virtual resource found', { code: 'NOT_FOUND' }), 404));
  return app;
}
