// X API v2: tweet lookup, user timeline and user lookup, with X's problem-JSON errors and
// x-rate-limit-* headers on every answer.
import { type Context, Hono } from 'hono';
import { bearer } from '../auth.js';
import type { XEndpoint } from '../config.js';
import { DAY_MS, xTime } from '../formats.js';
import type { Account, Post } from '../world/model.js';
import { faultMiddleware, type SimContext, splitCsv, visiblePosts } from './context.js';

const TWEET_FIELDS = [
  'article',
  'attachments',
  'author_id',
  'card_uri',
  'community_id',
  'context_annotations',
  'conversation_id',
  'created_at',
  'display_text_range',
  'edit_controls',
  'edit_history_tweet_ids',
  'entities',
  'geo',
  'id',
  'in_reply_to_user_id',
  'lang',
  'media_metadata',
  'non_public_metrics',
  'note_tweet',
  'organic_metrics',
  'possibly_sensitive',
  'promoted_metrics',
  'public_metrics',
  'referenced_tweets',
  'reply_settings',
  'scopes',
  'source',
  'text',
  'withheld',
];
const EXPANSIONS = [
  'article.cover_media',
  'article.media_entities',
  'attachments.media_keys',
  'attachments.media_source_tweet',
  'attachments.poll_ids',
  'author_id',
  'edit_history_tweet_ids',
  'entities.mentions.username',
  'geo.place_id',
  'in_reply_to_user_id',
  'entities.note.mentions.username',
  'referenced_tweets.id',
  'referenced_tweets.id.attachments.media_keys',
  'referenced_tweets.id.author_id',
];
const MEDIA_FIELDS = [
  'alt_text',
  'duration_ms',
  'height',
  'media_key',
  'non_public_metrics',
  'organic_metrics',
  'preview_image_url',
  'promoted_metrics',
  'public_metrics',
  'type',
  'url',
  'variants',
  'width',
];
const USER_FIELDS = [
  'affiliation',
  'confirmed_email',
  'connection_status',
  'created_at',
  'description',
  'entities',
  'id',
  'is_identity_verified',
  'location',
  'most_recent_tweet_id',
  'name',
  'parody',
  'pinned_tweet_id',
  'profile_banner_url',
  'profile_image_url',
  'protected',
  'public_metrics',
  'receives_your_dm',
  'subscription',
  'subscription_type',
  'url',
  'username',
  'verified',
  'verified_followers_count',
  'verified_type',
  'withheld',
];

const PROBLEM_BASE = 'https://api.twitter.com/2/problems';
/** Only the newest 3,200 posts of a timeline are reachable. */
const TIMELINE_DEPTH = 3200;
/** Private metrics are only reported for posts younger than 30 days. */
const PRIVATE_METRICS_MAX_AGE = 30 * DAY_MS;

type Headers = Record<string, string>;

class InvalidRequest extends Error {
  constructor(readonly errors: Array<{ parameters: Record<string, string[]>; message: string }>) {
    super('invalid request');
  }
}

function xProblem(status: number, title: string): Record<string, unknown> {
  return { title, detail: title, type: 'about:blank', status };
}

function invalidBody(e: InvalidRequest): Record<string, unknown> {
  return {
    errors: e.errors,
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: `${PROBLEM_BASE}/invalid-request`,
  };
}

function fieldList(c: Context, name: string, allowed: ReadonlyArray<string>): Set<string> {
  const values = splitCsv(c.req.query(name));
  for (const v of values) {
    if (!allowed.includes(v)) {
      throw new InvalidRequest([
        {
          parameters: { [name]: [v] },
          message: `The \`${name}\` query parameter value [${v}] is not one of [${allowed.join(',')}]`,
        },
      ]);
    }
  }
  return new Set(values);
}

function notFound(kind: 'tweet' | 'user', id: string, parameter: string): Record<string, unknown> {
  return {
    value: id,
    detail: `Could not find ${kind} with ${parameter}: [${id}].`,
    title: 'Not Found Error',
    resource_type: kind,
    parameter,
    resource_id: id,
    type: `${PROBLEM_BASE}/resource-not-found`,
  };
}

interface Fields {
  tweet: Set<string>;
  expansions: Set<string>;
  media: Set<string>;
  user: Set<string>;
}

function parseFields(c: Context): Fields {
  return {
    tweet: fieldList(c, 'tweet.fields', TWEET_FIELDS),
    expansions: fieldList(c, 'expansions', EXPANSIONS),
    media: fieldList(c, 'media.fields', MEDIA_FIELDS),
    user: fieldList(c, 'user.fields', USER_FIELDS),
  };
}

/** X counts entity offsets in code points, not UTF-16 units. */
function hashtagEntities(text: string): Array<{ start: number; end: number; tag: string }> {
  const out: Array<{ start: number; end: number; tag: string }> = [];
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== '#') continue;
    let j = i + 1;
    while (j < chars.length && /[A-Za-z0-9_]/.test(chars[j] ?? '')) j++;
    if (j > i + 1) out.push({ start: i, end: j, tag: chars.slice(i + 1, j).join('') });
  }
  return out;
}

function tweetObject(sim: SimContext, post: Post, fields: Fields, viewer: Account, now: number) {
  const m = sim.world.metricsAt(post, now);
  const t: Record<string, unknown> = { id: post.id, text: post.text, edit_history_tweet_ids: [post.id] };
  const f = fields.tweet;
  if (f.has('created_at')) t.created_at = post.publishedIso;
  if (f.has('author_id')) t.author_id = post.account.accountId;
  if (f.has('conversation_id')) t.conversation_id = post.id;
  if (f.has('lang')) t.lang = 'en';
  if (f.has('possibly_sensitive')) t.possibly_sensitive = false;
  if (f.has('reply_settings')) t.reply_settings = 'everyone';
  if (f.has('attachments') && post.mediaKey) t.attachments = { media_keys: [post.mediaKey] };
  if (f.has('entities')) {
    const hashtags = hashtagEntities(post.text);
    if (hashtags.length > 0) t.entities = { hashtags };
  }
  if (f.has('public_metrics')) {
    t.public_metrics = {
      retweet_count: m.shares,
      reply_count: m.comments,
      like_count: m.likes,
      quote_count: m.quotes,
      bookmark_count: m.saves,
      impression_count: m.impressions,
    };
  }
  const privateOk = post.account === viewer && now - post.publishedAt <= PRIVATE_METRICS_MAX_AGE;
  if (privateOk && f.has('non_public_metrics')) {
    t.non_public_metrics = {
      impression_count: m.impressions,
      url_link_clicks: m.clicks,
      user_profile_clicks: m.profile_clicks,
    };
  }
  if (privateOk && f.has('organic_metrics')) {
    t.organic_metrics = {
      impression_count: m.impressions,
      like_count: m.likes,
      reply_count: m.comments,
      retweet_count: m.shares,
      url_link_clicks: m.clicks,
      user_profile_clicks: m.profile_clicks,
    };
  }
  return t;
}

function mediaObject(sim: SimContext, post: Post, fields: Fields, now: number) {
  const video = post.contentType === 'video';
  const o: Record<string, unknown> = { media_key: post.mediaKey, type: video ? 'video' : 'photo' };
  const f = fields.media;
  if (f.has('height')) o.height = video ? 720 : 1080;
  if (f.has('width')) o.width = video ? 1280 : 1080;
  if (video && f.has('duration_ms')) o.duration_ms = 15_000 + (Number(post.id.slice(-4)) % 120) * 1000;
  if (video && f.has('preview_image_url'))
    o.preview_image_url = `https://pbs.twimg.com/media/${post.mediaKey}.jpg`;
  if (!video && f.has('url')) o.url = `https://pbs.twimg.com/media/${post.mediaKey}.jpg`;
  if (video && f.has('public_metrics'))
    o.public_metrics = { view_count: sim.world.metricsAt(post, now).video_views };
  return o;
}

function userObject(sim: SimContext, account: Account, fields: Set<string>, now: number) {
  const u: Record<string, unknown> = { id: account.accountId, name: account.name, username: account.handle };
  if (fields.has('created_at')) u.created_at = xTime(sim.world.startsAt - 400 * DAY_MS);
  if (fields.has('description')) u.description = `Official account of ${account.name}.`;
  if (fields.has('verified')) u.verified = false;
  if (fields.has('protected')) u.protected = false;
  if (fields.has('profile_image_url')) {
    u.profile_image_url = `https://pbs.twimg.com/profile_images/${account.accountId}/avatar_normal.jpg`;
  }
  if (fields.has('public_metrics')) {
    const published = visiblePosts(sim, account, now).length;
    u.public_metrics = {
      followers_count: sim.world.followersAt(account, now),
      following_count: 150 + (account.index % 400),
      tweet_count: published + 1200,
      listed_count: 10 + (account.index % 90),
      like_count: 800 + (account.index % 3000),
      media_count: 300 + (account.index % 200),
    };
  }
  return u;
}

/** Compare decimal id strings numerically without BigInt. */
function cmpId(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

function withIncludes(
  sim: SimContext,
  body: Record<string, unknown>,
  posts: ReadonlyArray<Post>,
  fields: Fields,
  now: number,
): Record<string, unknown> {
  const includes: Record<string, unknown[]> = {};
  if (fields.expansions.has('attachments.media_keys')) {
    const media = posts.filter((p) => p.mediaKey).map((p) => mediaObject(sim, p, fields, now));
    if (media.length > 0) includes.media = media;
  }
  if (fields.expansions.has('author_id')) {
    const authors = [...new Set(posts.map((p) => p.account))];
    if (authors.length > 0) includes.users = authors.map((a) => userObject(sim, a, fields.user, now));
  }
  if (Object.keys(includes).length > 0) body.includes = includes;
  return body;
}

const TOKEN_PREFIX_NEXT = '7140dibdnow9c7btw4';
const TOKEN_PREFIX_PREV = '77qpymm88g5h9vqkl';

function encodeToken(prefix: string, id: string): string {
  return prefix + BigInt(id).toString(36);
}

function decodeToken(token: string): { direction: 'next' | 'prev'; id: string } | null {
  for (const [prefix, direction] of [
    [TOKEN_PREFIX_NEXT, 'next'],
    [TOKEN_PREFIX_PREV, 'prev'],
  ] as const) {
    if (token.startsWith(prefix)) {
      const rest = token.slice(prefix.length);
      if (!/^[0-9a-z]+$/.test(rest)) return null;
      let n = 0n;
      for (const ch of rest) n = n * 36n + BigInt(Number.parseInt(ch, 36));
      return { direction, id: n.toString() };
    }
  }
  return null;
}

function parseTime(c: Context, name: string): number | undefined {
  const v = c.req.query(name);
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || !Number.isFinite(ms)) {
    throw new InvalidRequest([
      {
        parameters: { [name]: [v] },
        message: `Invalid '${name}':'${v}'. '${name}' must be a valid RFC3339 date.`,
      },
    ]);
  }
  return ms;
}

function parseIdParam(c: Context, name: string): string | undefined {
  const v = c.req.query(name);
  if (v === undefined) return undefined;
  if (!/^[0-9]{1,19}$/.test(v)) {
    throw new InvalidRequest([
      {
        parameters: { [name]: [v] },
        message: `The \`${name}\` query parameter value [${v}] does not match ^[0-9]{1,19}$`,
      },
    ]);
  }
  return v.replace(/^0+(?=\d)/, '');
}

export function createXApp(sim: SimContext): Hono {
  const app = new Hono();
  app.use(
    '*',
    faultMiddleware(sim, 'x', (status) =>
      xProblem(status, status === 503 ? 'Service Unavailable' : 'Internal Server Error'),
    ),
  );

  /** Auth, then the rate-limit decision; returns the caller or a finished response. */
  const gate = (c: Context, endpoint: XEndpoint): { account: Account; headers: Headers } | Response => {
    const state = sim.tokens.check(bearer(c.req.header('authorization')));
    if (state.kind !== 'valid') return c.json(xProblem(401, 'Unauthorized'), 401);
    const now = sim.clock.now();
    const d = sim.x.check(endpoint, state.account.accountId, now);
    const headers: Headers = {
      'x-rate-limit-limit': String(d.limit),
      'x-rate-limit-remaining': String(d.kind === 'ok' ? d.remaining : d.kind === 'capped' ? d.remaining : 0),
      'x-rate-limit-reset': String(Math.ceil(d.resetAt / 1000)),
    };
    if (d.kind === 'limited') {
      sim.violations.noteThrottled();
      if (d.violation) {
        const caller = d.scope === 'app' ? 'app' : state.account.accountId;
        sim.violations.record('x', 'twitter', caller, `${endpoint}:${d.scope}`, now);
      }
      return c.json(xProblem(429, 'Too Many Requests'), 429, headers);
    }
    if (d.kind === 'capped') {
      sim.violations.noteThrottled();
      if (d.violation) sim.violations.record('x', 'twitter', 'app', 'monthly_usage_cap', now);
      return c.json(
        {
          account_id: 1_000_000 + sim.world.options.seed,
          product_name: 'standard-basic',
          title: 'UsageCapExceeded',
          period: 'Monthly',
          scope: 'Product',
          detail: 'Usage cap exceeded: Monthly product cap',
          type: `${PROBLEM_BASE}/usage-capped`,
        },
        429,
        headers,
      );
    }
    return { account: state.account, headers };
  };

  const guarded = (c: Context, headers: Headers, run: () => Response): Response => {
    try {
      return run();
    } catch (e) {
      if (e instanceof InvalidRequest) return c.json(invalidBody(e), 400, headers);
      throw e;
    }
  };

  app.get('/2/tweets', (c) => {
    const g = gate(c, 'tweets_lookup');
    if (g instanceof Response) return g;
    return guarded(c, g.headers, () => {
      const raw = c.req.query('ids');
      const ids = splitCsv(raw);
      if (ids.length === 0) {
        throw new InvalidRequest([
          { parameters: { ids: [] }, message: 'The `ids` query parameter can not be empty' },
        ]);
      }
      if (ids.length > 100) {
        throw new InvalidRequest([
          {
            parameters: { ids: [raw ?? ''] },
            message: `The number of values in the \`ids\` query parameter list [${ids.length}] is not between 1 and 100`,
          },
        ]);
      }
      for (const id of ids) {
        if (!/^[0-9]{1,19}$/.test(id)) {
          throw new InvalidRequest([
            {
              parameters: { ids: [id] },
              message: `The \`ids\` query parameter value [${id}] does not match ^[0-9]{1,19}$`,
            },
          ]);
        }
      }
      const fields = parseFields(c);
      const now = sim.clock.now();
      const found: Post[] = [];
      const errors: unknown[] = [];
      for (const id of ids) {
        const post = sim.world.post('twitter', id);
        if (!post || post.publishedAt > now || sim.faults.isDeleted(id))
          errors.push(notFound('tweet', id, 'ids'));
        else found.push(post);
      }
      sim.x.consumePosts(found.length, now);
      const body: Record<string, unknown> = {};
      if (found.length > 0) body.data = found.map((p) => tweetObject(sim, p, fields, g.account, now));
      withIncludes(sim, body, found, fields, now);
      if (errors.length > 0) body.errors = errors;
      return c.json(body, 200, g.headers);
    });
  });

  app.get('/2/users/me', (c) => {
    const g = gate(c, 'users_lookup');
    if (g instanceof Response) return g;
    return guarded(c, g.headers, () => {
      const fields = parseFields(c);
      return c.json({ data: userObject(sim, g.account, fields.user, sim.clock.now()) }, 200, g.headers);
    });
  });

  app.get('/2/users/:id', (c) => {
    const g = gate(c, 'users_lookup');
    if (g instanceof Response) return g;
    return guarded(c, g.headers, () => {
      const fields = parseFields(c);
      const id = c.req.param('id');
      const account = sim.world.account('twitter', id);
      if (!account) return c.json({ errors: [notFound('user', id, 'id')] }, 200, g.headers);
      return c.json({ data: userObject(sim, account, fields.user, sim.clock.now()) }, 200, g.headers);
    });
  });

  app.get('/2/users/:id/tweets', (c) => {
    const g = gate(c, 'user_tweets');
    if (g instanceof Response) return g;
    return guarded(c, g.headers, () => {
      const fields = parseFields(c);
      const rawMax = c.req.query('max_results');
      const max = rawMax === undefined ? 10 : Number(rawMax);
      if (!Number.isInteger(max) || max < 5 || max > 100) {
        throw new InvalidRequest([
          {
            parameters: { max_results: [rawMax ?? ''] },
            message: `The \`max_results\` query parameter value [${rawMax}] is not between 5 and 100`,
          },
        ]);
      }
      const excluded = splitCsv(c.req.query('exclude'));
      for (const e of excluded) {
        if (e !== 'replies' && e !== 'retweets') {
          throw new InvalidRequest([
            {
              parameters: { exclude: [e] },
              message: `The \`exclude\` query parameter value [${e}] is not one of [replies,retweets]`,
            },
          ]);
        }
      }
      const startTime = parseTime(c, 'start_time');
      const endTime = parseTime(c, 'end_time');
      const sinceId = parseIdParam(c, 'since_id');
      const untilId = parseIdParam(c, 'until_id');
      const rawToken = c.req.query('pagination_token');
      const token = rawToken === undefined ? null : decodeToken(rawToken);
      if (rawToken !== undefined && token === null) {
        throw new InvalidRequest([
          {
            parameters: { pagination_token: [rawToken] },
            message: `The \`pagination_token\` query parameter value [${rawToken}] is not valid`,
          },
        ]);
      }
      const id = c.req.param('id');
      const account = sim.world.account('twitter', id);
      if (!account) return c.json({ errors: [notFound('user', id, 'id')] }, 200, g.headers);

      const now = sim.clock.now();
      const timeline = visiblePosts(sim, account, now)
        .slice(0, TIMELINE_DEPTH)
        .filter((p) => {
          if (startTime !== undefined && p.publishedAt < startTime) return false;
          if (endTime !== undefined && p.publishedAt > endTime) return false;
          if (sinceId !== undefined && cmpId(p.id, sinceId) <= 0) return false;
          if (untilId !== undefined && cmpId(p.id, untilId) >= 0) return false;
          return true;
        });
      let page: Post[];
      if (token?.direction === 'prev') {
        const newer = timeline.filter((p) => cmpId(p.id, token.id) > 0);
        page = newer.slice(Math.max(0, newer.length - max));
      } else {
        const start = token ? timeline.findIndex((p) => cmpId(p.id, token.id) < 0) : 0;
        page = start < 0 ? [] : timeline.slice(start, start + max);
      }
      sim.x.consumePosts(page.length, now);
      const first = page[0];
      const last = page[page.length - 1];
      const meta: Record<string, unknown> = { result_count: page.length };
      if (first && last) {
        meta.newest_id = first.id;
        meta.oldest_id = last.id;
        if (timeline[timeline.length - 1] !== last) meta.next_token = encodeToken(TOKEN_PREFIX_NEXT, last.id);
        if (timeline[0] !== first) meta.previous_token = encodeToken(TOKEN_PREFIX_PREV, first.id);
      }
      const body: Record<string, unknown> = {};
      if (page.length > 0) body.data = page.map((p) => tweetObject(sim, p, fields, g.account, now));
      withIncludes(sim, body, page, fields, now);
      body.meta = meta;
      return c.json(body, 200, g.headers);
    });
  });

  // Mounted sub-apps don't get their own notFound, so a catch-all answers in the platform's voice.
  app.all('*', (c) => c.json({ errors: [{ message: 'Sorry, that page does not exist', code: 34 }] }, 404));
  return app;
}
