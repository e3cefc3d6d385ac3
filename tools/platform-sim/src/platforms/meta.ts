// Meta Graph API v25.0 for Facebook Pages and Instagram business accounts: nodes with `fields=`,
// insights with `metric=`, published_posts / media / stories with cursor paging, `?ids=` and
// batch requests. Usage is reported in x-app-usage / x-business-use-case-usage on every answer.
import { type Context, Hono } from 'hono';
import { bearer } from '../auth.js';
import { DAY_MS, HOUR_MS, metaTimeFromIso } from '../formats.js';
import type { MetaDecision } from '../ratelimit.js';
import { type Account, FACEBOOK_REACTIONS, type MetricsAt, type Post } from '../world/model.js';
import { faultMiddleware, type SimContext, splitCsv, visiblePosts } from './context.js';
import { type FieldSpec, parseFields } from './graph-fields.js';

const GRAPH_VERSION = 'v25.0';
const APP_ID = '1234567890123456';

type Json = Record<string, unknown>;

interface GraphResult {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(String(body.message));
  }
}

function graphError(
  sim: SimContext,
  status: number,
  message: string,
  code: number,
  extra: Json = {},
  type = 'OAuthException',
): GraphError {
  return new GraphError(status, { message, type, code, ...extra, fbtrace_id: traceId(sim) });
}

function traceId(sim: SimContext): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  let s = 'A';
  for (let i = 0; i < 22; i++) s += alphabet[Math.floor(sim.traceRng.next() * alphabet.length)];
  return s;
}

function missingObject(sim: SimContext, id: string): GraphError {
  return graphError(
    sim,
    400,
    `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    100,
    { error_subcode: 33 },
    'GraphMethodException',
  );
}

/** "Tuesday, 18-Nov-26 07:04:05 PST", the way Graph prints times in token errors. */
function pacificTime(ms: number): string {
  const parts: Record<string, string> = {};
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/Los_Angeles',
    weekday: 'long',
    day: '2-digit',
    month: 'short',
    year: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  for (const p of fmt.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return `${parts.weekday}, ${parts.day}-${parts.month}-${parts.year} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}

// ---------- insights metrics ----------

const FB_METRICS = [
  'post_media_view',
  'post_total_media_view_unique',
  'post_clicks',
  'post_clicks_by_type',
  'post_reactions_by_type_total',
  'post_reactions_like_total',
  'post_reactions_love_total',
  'post_reactions_wow_total',
  'post_reactions_haha_total',
  'post_reactions_sorry_total',
  'post_reactions_anger_total',
  'post_video_views',
  'post_video_views_unique',
];
const IG_METRICS = [
  'reach',
  'likes',
  'comments',
  'shares',
  'saved',
  'total_interactions',
  'views',
  'follows',
  'profile_visits',
  'replies',
  'navigation',
  'ig_reels_avg_watch_time',
  'ig_reels_video_view_total_time',
];
const IG_STORY_METRICS = [
  'reach',
  'views',
  'shares',
  'total_interactions',
  'follows',
  'profile_visits',
  'replies',
  'navigation',
];
const IG_FEED_ONLY = [
  'likes',
  'comments',
  'saved',
  'ig_reels_avg_watch_time',
  'ig_reels_video_view_total_time',
];

const METRIC_TITLES: Record<string, string> = {
  post_media_view: 'Lifetime Post Media Views',
  post_total_media_view_unique: 'Lifetime Post Total Media Viewers',
  post_clicks: 'Lifetime Post Clicks',
  post_reactions_by_type_total: 'Lifetime Total post Reactions by Type.',
  post_video_views: 'Lifetime Total Video Views',
  reach: 'Accounts reached',
  likes: 'Likes',
  comments: 'Comments',
  shares: 'Shares',
  saved: 'Saved',
  total_interactions: 'Post interactions',
  views: 'Views',
};

function fbMetricValue(name: string, post: Post, m: MetricsAt): number | Json {
  switch (name) {
    case 'post_media_view':
      return m.impressions;
    case 'post_total_media_view_unique':
      return m.reach;
    case 'post_clicks':
      return m.clicks;
    case 'post_clicks_by_type': {
      const o: Json = {};
      const link = post.contentType === 'link' ? Math.floor(m.clicks * 0.7) : 0;
      const photo =
        post.contentType === 'image' || post.contentType === 'carousel' ? Math.floor(m.clicks * 0.6) : 0;
      const other = m.clicks - link - photo;
      if (link > 0) o['link clicks'] = link;
      if (photo > 0) o['photo view'] = photo;
      if (other > 0) o['other clicks'] = other;
      return o;
    }
    case 'post_reactions_by_type_total': {
      // Only non-zero reaction types are listed.
      const o: Json = {};
      for (const r of FACEBOOK_REACTIONS) {
        const n = m.reactions[r] ?? 0;
        if (n > 0) o[r] = n;
      }
      return o;
    }
    case 'post_video_views':
      return m.video_views;
    case 'post_video_views_unique':
      return Math.floor(m.video_views * 0.8);
    default: {
      const r = /^post_reactions_(\w+)_total$/.exec(name)?.[1];
      return r ? (m.reactions[r] ?? 0) : 0;
    }
  }
}

function igMetricValue(name: string, post: Post, m: MetricsAt): number {
  switch (name) {
    case 'reach':
      return m.reach;
    case 'likes':
      return m.likes;
    case 'comments':
      return m.comments;
    case 'shares':
      return m.shares;
    case 'saved':
      return m.saves;
    case 'total_interactions':
      return m.likes + m.comments + m.shares + m.saves;
    case 'views':
      return m.impressions;
    case 'follows':
      return Math.floor(m.reach * 0.002);
    case 'profile_visits':
      return Math.floor(m.reach * 0.01);
    case 'replies':
      return Math.floor(m.reach * 0.01);
    case 'navigation':
      return Math.floor(m.impressions * 0.6);
    case 'ig_reels_avg_watch_time':
      return post.contentType === 'video' ? 4000 + (m.reach % 6000) : 0;
    case 'ig_reels_video_view_total_time':
      return post.contentType === 'video' ? m.impressions * 5000 : 0;
    default:
      return 0;
  }
}

// ---------- the dispatcher ----------

interface GraphRequest {
  method: 'GET' | 'POST';
  /** Path after /v25.0, e.g. `/123/insights`; empty or `/` for the root. */
  path: string;
  query: URLSearchParams;
  token: string | undefined;
  /** Absolute URL of /v25.0, for `paging.next`. */
  base: string;
}

function encodeCursor(post: Post): string {
  return Buffer.from(`${post.publishedAt}:${post.id}`).toString('base64');
}

function decodeCursor(sim: SimContext, cursor: string): { publishedAt: number; id: string } {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  const m = /^(\d+):(.+)$/.exec(text);
  if (!m?.[1] || !m[2]) throw graphError(sim, 400, '(#100) The after parameter is not a valid cursor', 100);
  return { publishedAt: Number(m[1]), id: m[2] };
}

type Node =
  | { kind: 'page'; account: Account }
  | { kind: 'iguser'; account: Account }
  | { kind: 'fbpost'; post: Post }
  | { kind: 'igmedia'; post: Post };

class GraphApi {
  constructor(private readonly sim: SimContext) {}

  private visible(post: Post, now: number): boolean {
    return post.publishedAt <= now && !this.sim.faults.isDeleted(post.id);
  }

  /** Objects a token may read: its own page or IG account and their posts. */
  private resolve(id: string, caller: Account, now: number): Node {
    const { world } = this.sim;
    if (caller.platform === 'facebook') {
      if (id === caller.accountId || id === 'me') return { kind: 'page', account: caller };
      const post = id.includes('_') ? world.post('facebook', id) : undefined;
      if (post && post.account === caller && this.visible(post, now)) return { kind: 'fbpost', post };
    } else {
      if (id === caller.accountId || id === 'me') return { kind: 'iguser', account: caller };
      const post = world.post('instagram', id);
      if (post && post.account === caller && this.visible(post, now)) return { kind: 'igmedia', post };
    }
    throw missingObject(this.sim, id);
  }

  private metrics(post: Post, now: number): MetricsAt {
    return this.sim.world.metricsAt(post, now);
  }

  private nodeFields(node: Node, specs: FieldSpec[], now: number): Json {
    const type =
      node.kind === 'page'
        ? 'Page'
        : node.kind === 'iguser'
          ? 'IGUser'
          : node.kind === 'fbpost'
            ? 'PagePost'
            : 'IGMedia';
    const defaults: Record<Node['kind'], string[]> = {
      page: ['name', 'id'],
      iguser: ['id'],
      fbpost: ['created_time', 'message', 'id'],
      igmedia: ['id'],
    };
    const list = specs.length > 0 ? specs : parseFields(defaults[node.kind].join(','));
    const out: Json = {};
    for (const spec of list) {
      const value = this.field(node, spec, now);
      if (value === NONEXISTENT) {
        throw graphError(
          this.sim,
          400,
          `(#100) Tried accessing nonexisting field (${spec.name}) on node type (${type})`,
          100,
        );
      }
      if (value !== OMITTED) out[spec.name] = value;
    }
    if (out.id === undefined) {
      out.id = node.kind === 'page' || node.kind === 'iguser' ? node.account.accountId : node.post.id;
    }
    return out;
  }

  private field(node: Node, spec: FieldSpec, now: number): unknown {
    const { world } = this.sim;
    switch (node.kind) {
      case 'page': {
        const a = node.account;
        switch (spec.name) {
          case 'id':
            return a.accountId;
          case 'name':
            return a.name;
          case 'username':
            return a.handle;
          case 'followers_count':
            return world.followersAt(a, now);
          case 'fan_count':
            return Math.floor(world.followersAt(a, now) * 0.93);
          case 'link':
            return `https://www.facebook.com/${a.handle}`;
          case 'category':
            return 'Software Company';
          default:
            return NONEXISTENT;
        }
      }
      case 'iguser': {
        const a = node.account;
        switch (spec.name) {
          case 'id':
            return a.accountId;
          case 'username':
            return a.handle;
          case 'name':
            return a.name;
          case 'followers_count':
            return world.followersAt(a, now);
          case 'follows_count':
            return 200 + (a.index % 500);
          case 'media_count':
            return visiblePosts(this.sim, a, now).filter((p) => p.productType !== 'STORY').length;
          case 'biography':
            return `Official account of ${a.name}.`;
          case 'profile_picture_url':
            return `https://scontent.cdninstagram.com/v/${a.accountId}.jpg`;
          default:
            return NONEXISTENT;
        }
      }
      case 'fbpost':
        return this.fbPostField(node.post, spec, now);
      case 'igmedia':
        return this.igMediaField(node.post, spec, now);
    }
  }

  private fbPostField(post: Post, spec: FieldSpec, now: number): unknown {
    const m = () => this.metrics(post, now);
    switch (spec.name) {
      case 'id':
        return post.id;
      case 'message':
        return post.text === '' ? OMITTED : post.text;
      case 'created_time':
      case 'updated_time':
        return metaTimeFromIso(post.publishedIso);
      case 'permalink_url':
        return post.url;
      case 'is_published':
        return true;
      case 'from':
        return { name: post.account.name, id: post.account.accountId };
      case 'status_type':
        return {
          text: 'mobile_status_update',
          image: 'added_photos',
          carousel: 'added_photos',
          video: 'added_video',
          link: 'shared_story',
        }[post.contentType];
      case 'full_picture':
        return post.contentType === 'text' ? OMITTED : `https://scontent.xx.fbcdn.net/v/${post.id}.jpg`;
      case 'shares': {
        // Facebook leaves `shares` out when nobody shared: absent here means 0.
        const n = m().shares;
        return n > 0 ? { count: n } : OMITTED;
      }
      case 'comments':
        return this.edgeSummary(spec, m().comments, { order: 'ranked', can_comment: true });
      case 'reactions': {
        const metrics = m();
        const type = spec.modifiers.get('type');
        const byType: Record<string, string> = {
          LIKE: 'like',
          LOVE: 'love',
          WOW: 'wow',
          HAHA: 'haha',
          SAD: 'sorry',
          ANGRY: 'anger',
        };
        const total = type ? (metrics.reactions[byType[type] ?? ''] ?? 0) : metrics.likes;
        return this.edgeSummary(spec, total, { viewer_reaction: 'NONE' });
      }
      case 'attachments': {
        const mediaType = { text: 'status', image: 'photo', carousel: 'album', video: 'video', link: 'link' }[
          post.contentType
        ];
        return post.contentType === 'text'
          ? OMITTED
          : { data: [{ media_type: mediaType, type: mediaType, url: post.url }] };
      }
      default:
        return NONEXISTENT;
    }
  }

  /** `comments.summary(true).limit(0)` style edges: we model counts, not the items themselves. */
  private edgeSummary(spec: FieldSpec, total: number, extra: Json): Json {
    const out: Json = { data: [] };
    if (spec.modifiers.get('summary') === 'true' || spec.modifiers.get('summary') === 'total_count') {
      out.summary = { ...extra, total_count: total };
    }
    return out;
  }

  private igMediaField(post: Post, spec: FieldSpec, now: number): unknown {
    switch (spec.name) {
      case 'id':
        return post.id;
      case 'caption':
        return post.text === '' ? OMITTED : post.text;
      case 'media_type':
        return post.contentType === 'video'
          ? 'VIDEO'
          : post.contentType === 'carousel'
            ? 'CAROUSEL_ALBUM'
            : 'IMAGE';
      case 'media_product_type':
        return post.productType;
      case 'timestamp':
        return metaTimeFromIso(post.publishedIso);
      case 'permalink':
        return post.url;
      case 'shortcode':
        return post.url.split('/').filter(Boolean).pop();
      case 'username':
        return post.account.handle;
      case 'owner':
        return { id: post.account.accountId };
      case 'is_comment_enabled':
        return true;
      case 'media_url':
        return `https://scontent.cdninstagram.com/v/${post.id}.${post.contentType === 'video' ? 'mp4' : 'jpg'}`;
      case 'thumbnail_url':
        return post.contentType === 'video'
          ? `https://scontent.cdninstagram.com/v/${post.id}_thumb.jpg`
          : OMITTED;
      case 'like_count':
        // Hidden likes: the field is simply absent (unknown, not 0).
        return post.likesHidden ? OMITTED : this.metrics(post, now).likes;
      case 'comments_count':
        return this.metrics(post, now).comments;
      default:
        return NONEXISTENT;
    }
  }

  private insights(node: Node, query: URLSearchParams, now: number): Json {
    const metricNames = splitCsv(query.get('metric') ?? undefined);
    if (node.kind === 'fbpost') {
      if (metricNames.length === 0)
        throw graphError(this.sim, 400, '(#100) The value must be a valid insights metric', 100);
      // A retired metric (post_impressions, post_engaged_users…) fails the whole request.
      for (const name of metricNames) {
        if (!FB_METRICS.includes(name)) {
          throw graphError(this.sim, 400, '(#100) The value must be a valid insights metric', 100);
        }
      }
      const m = this.metrics(node.post, now);
      const data = metricNames.map((name) => ({
        name,
        period: 'lifetime',
        values: [{ value: fbMetricValue(name, node.post, m) }],
        title: METRIC_TITLES[name] ?? name,
        description: `Lifetime: ${METRIC_TITLES[name] ?? name}`,
        id: `${node.post.id}/insights/${name}/lifetime`,
      }));
      return { data };
    }
    if (node.kind === 'igmedia') {
      const post = node.post;
      metricNames.forEach((name, i) => {
        if (!IG_METRICS.includes(name)) {
          throw graphError(
            this.sim,
            400,
            `(#100) metric[${i}] must be one of the following values: ${IG_METRICS.join(', ')}`,
            100,
          );
        }
      });
      if (metricNames.length === 0) {
        throw graphError(
          this.sim,
          400,
          `(#100) metric[0] must be one of the following values: ${IG_METRICS.join(', ')}`,
          100,
        );
      }
      for (const name of metricNames) {
        const allowed =
          post.productType === 'STORY'
            ? IG_STORY_METRICS.includes(name)
            : !['replies', 'navigation'].includes(name);
        if (!allowed || (post.productType === 'STORY' && IG_FEED_ONLY.includes(name))) {
          throw graphError(
            this.sim,
            400,
            `(#100) The Media Insights API does not support the ${name} metric for this media product type.`,
            100,
          );
        }
      }
      const f = this.sim.faults.current;
      // Instagram insights lag: young media answer an empty list, which means "unknown", not 0.
      if (
        f.instagram_insights_lag_hours > 0 &&
        now - post.publishedAt < f.instagram_insights_lag_hours * HOUR_MS
      ) {
        return { data: [] };
      }
      const m = this.metrics(post, now);
      if (post.productType === 'STORY' && m.reach < f.instagram_story_min_viewers) {
        throw graphError(this.sim, 400, '(#10) Not enough viewers for the media to show insights', 10, {
          error_user_title: 'Media Insights Not Available',
          error_user_msg: 'The media has not reached enough viewers to show insights.',
        });
      }
      const data = metricNames.map((name) => ({
        name,
        period: 'lifetime',
        values: [{ value: igMetricValue(name, post, m) }],
        title: METRIC_TITLES[name] ?? name,
        description: `${METRIC_TITLES[name] ?? name} on this media.`,
        id: `${post.id}/insights/${name}/lifetime`,
      }));
      return { data };
    }
    throw graphError(this.sim, 400, '(#100) The value must be a valid insights metric', 100);
  }

  private listEdge(
    account: Account,
    edge: string,
    query: URLSearchParams,
    base: string,
    now: number,
    filter: ((p: Post) => boolean) | null,
    kind: 'fbpost' | 'igmedia',
  ): Json {
    const limitRaw = query.get('limit');
    const limit = limitRaw === null ? 25 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1)
      throw graphError(this.sim, 400, '(#100) Param limit must be a positive integer', 100);
    const pageSize = Math.min(limit, 100);
    const visible = visiblePosts(this.sim, account, now);
    const all = filter ? visible.filter(filter) : visible;
    let start = 0;
    const after = query.get('after');
    const before = query.get('before');
    const isAfter = (p: Post, c: { publishedAt: number; id: string }) =>
      p.publishedAt < c.publishedAt || (p.publishedAt === c.publishedAt && p.id < c.id);
    if (after) {
      const c = decodeCursor(this.sim, after);
      start = all.findIndex((p) => isAfter(p, c));
      if (start < 0) start = all.length;
    } else if (before) {
      const c = decodeCursor(this.sim, before);
      const end = all.findIndex(
        (p) => !(p.publishedAt > c.publishedAt || (p.publishedAt === c.publishedAt && p.id > c.id)),
      );
      start = Math.max(0, (end < 0 ? all.length : end) - pageSize);
    }
    const page = all.slice(start, start + pageSize);
    const specs = parseFields(query.get('fields') ?? undefined);
    const data = page.map((post) => this.nodeFields({ kind, post }, specs, now));
    const body: Json = { data };
    const first = page[0];
    const last = page[page.length - 1];
    if (first && last) {
      const paging: Json = { cursors: { before: encodeCursor(first), after: encodeCursor(last) } };
      const link = (param: 'after' | 'before', cursor: string) => {
        const q = new URLSearchParams(query);
        q.delete('after');
        q.delete('before');
        q.set('limit', String(pageSize));
        q.set(param, cursor);
        return `${base}/${account.accountId}/${edge}?${q.toString()}`;
      };
      if (start > 0) paging.previous = link('before', encodeCursor(first));
      if (start + pageSize < all.length) paging.next = link('after', encodeCursor(last));
      body.paging = paging;
    }
    return body;
  }

  private dispatch(
    caller: Account,
    id: string,
    edge: string | undefined,
    query: URLSearchParams,
    base: string,
    now: number,
  ): Json {
    const node = this.resolve(id, caller, now);
    if (edge === undefined) return this.nodeFields(node, parseFields(query.get('fields') ?? undefined), now);
    if (edge === 'insights') return this.insights(node, query, now);
    if (node.kind === 'page' && (edge === 'published_posts' || edge === 'posts')) {
      return this.listEdge(node.account, edge, query, base, now, null, 'fbpost');
    }
    if (node.kind === 'iguser' && edge === 'media') {
      return this.listEdge(node.account, edge, query, base, now, (p) => p.productType !== 'STORY', 'igmedia');
    }
    if (node.kind === 'iguser' && edge === 'stories') {
      // Stories disappear from the API after 24 hours.
      return this.listEdge(
        node.account,
        edge,
        query,
        base,
        now,
        (p) => p.productType === 'STORY' && now - p.publishedAt < DAY_MS,
        'igmedia',
      );
    }
    throw graphError(this.sim, 400, `Unknown path components: /${edge}`, 2500);
  }

  private authenticate(token: string | undefined, now: number): Account {
    const state = this.sim.tokens.check(token);
    switch (state.kind) {
      case 'valid':
        return state.account;
      case 'expired':
        throw graphError(
          this.sim,
          400,
          `Error validating access token: Session has expired on ${pacificTime(state.at)}. The current time is ${pacificTime(now)}.`,
          190,
          { error_subcode: 463 },
        );
      case 'revoked':
        if (state.reason === 'password_changed') {
          throw graphError(
            this.sim,
            400,
            'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
            190,
            { error_subcode: 460 },
          );
        }
        throw graphError(
          this.sim,
          400,
          `Error validating access token: The user has not authorized application ${APP_ID}.`,
          190,
          { error_subcode: 458 },
        );
      case 'unknown':
        if (!token)
          throw graphError(this.sim, 400, 'An access token is required to request this resource.', 104);
        throw graphError(this.sim, 400, 'Invalid OAuth access token - Cannot parse access token', 190);
    }
  }

  private usageHeaders(caller: Account, d: MetaDecision): Record<string, string> {
    const pct = (p: number, f: number) => Math.min(100, Math.floor(p * f));
    return {
      'x-app-usage': JSON.stringify({
        call_count: d.app.percent,
        total_cputime: pct(d.app.percent, 0.6),
        total_time: pct(d.app.percent, 0.7),
      }),
      'x-business-use-case-usage': JSON.stringify({
        [caller.accountId]: [
          {
            type: caller.platform === 'facebook' ? 'pages' : 'instagram',
            call_count: d.business.percent,
            total_cputime: pct(d.business.percent, 0.6),
            total_time: pct(d.business.percent, 0.7),
            estimated_time_to_regain_access: d.business.regainMinutes,
          },
        ],
      }),
    };
  }

  private throttleError(d: MetaDecision & { kind: 'blocked' }): GraphError {
    const codes = this.sim.limits.meta.codes;
    const code = d.by === 'app' ? codes.app : d.by === 'page' ? codes.page : codes.instagram;
    const messages: Record<number, string> = {
      4: '(#4) Application request limit reached',
      17: '(#17) User request limit reached',
      32: '(#32) Page request limit reached',
      613: '(#613) Calls to this api have exceeded the rate limit.',
      80001:
        '(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.',
      80002:
        '(#80002) There have been too many calls to this Instagram account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.',
    };
    return graphError(
      this.sim,
      code === 4 ? 403 : 400,
      messages[code] ?? '(#4) Application request limit reached',
      code,
      {
        is_transient: true,
      },
    );
  }

  /** One Graph call (also one element of a batch). */
  handle(req: GraphRequest): GraphResult {
    const now = this.sim.clock.now();
    let headers: Record<string, string> = {};
    try {
      const caller = this.authenticate(req.token, now);
      const segments = req.path.split('/').filter((s) => s.length > 0);
      const ids = splitCsv(req.query.get('ids') ?? undefined);
      const cost =
        segments.length === 0 || (segments.length === 1 && segments[0] === 'insights')
          ? Math.max(1, ids.length)
          : 1;
      const d = this.sim.meta.check(
        caller.platform === 'facebook' ? 'page' : 'instagram',
        caller.accountId,
        cost,
        now,
      );
      headers = this.usageHeaders(caller, d);
      if (d.kind === 'blocked') {
        this.sim.violations.noteThrottled();
        const who = d.by === 'app' ? 'app' : caller.accountId;
        this.sim.violations.record('meta', caller.platform, who, d.by, now);
        throw this.throttleError(d);
      }
      if (req.method !== 'GET')
        throw graphError(this.sim, 400, 'Unsupported post request.', 100, {}, 'GraphMethodException');
      if (segments.length === 0 || (segments.length === 1 && segments[0] === 'insights')) {
        // ?ids=a,b: one answer keyed by id; any unknown id fails the whole call.
        if (ids.length === 0) throw graphError(this.sim, 400, '(#100) Missing or invalid ids parameter', 100);
        if (ids.length > 50)
          throw graphError(this.sim, 400, `(#100) Too many IDs. Maximum: 50. Provided: ${ids.length}.`, 100);
        const missing = ids.filter((id) => {
          try {
            this.resolve(id, caller, now);
            return false;
          } catch {
            return true;
          }
        });
        if (missing.length > 0) {
          throw graphError(
            this.sim,
            404,
            `(#803) Some of the aliases you requested do not exist: ${missing.join(',')}`,
            803,
          );
        }
        const body: Json = {};
        for (const id of ids) body[id] = this.dispatch(caller, id, segments[0], req.query, req.base, now);
        return { status: 200, body, headers };
      }
      const [id = '', edge, extra] = segments;
      if (extra !== undefined)
        throw graphError(this.sim, 400, `Unknown path components: /${edge}/${extra}`, 2500);
      return { status: 200, body: this.dispatch(caller, id, edge, req.query, req.base, now), headers };
    } catch (e) {
      if (e instanceof GraphError) return { status: e.status, body: { error: e.body }, headers };
      throw e;
    }
  }

  /** POST /v25.0/ with batch=[{method, relative_url}]: each element is a full call with its own limits. */
  batch(batchJson: string | undefined, token: string | undefined, base: string): GraphResult {
    let items: unknown;
    try {
      items = JSON.parse(batchJson ?? '');
    } catch {
      const e = graphError(this.sim, 400, '(#100) The parameter batch must be a JSON array', 100);
      return { status: 400, body: { error: e.body }, headers: {} };
    }
    if (!Array.isArray(items)) {
      const e = graphError(this.sim, 400, '(#100) The parameter batch must be a JSON array', 100);
      return { status: 400, body: { error: e.body }, headers: {} };
    }
    if (items.length > 50) {
      const e = graphError(
        this.sim,
        400,
        '(#100) Too many requests in batch message. Maximum batch size is 50',
        100,
      );
      return { status: 400, body: { error: e.body }, headers: {} };
    }
    let lastHeaders: Record<string, string> = {};
    const out = items.map((item: unknown) => {
      const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      const method = String(o.method ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
      const rel = String(o.relative_url ?? '')
        .replace(/^\//, '')
        .replace(/^v\d+\.\d+\//, '');
      const q = rel.indexOf('?');
      const path = `/${q < 0 ? rel : rel.slice(0, q)}`;
      const query = new URLSearchParams(q < 0 ? '' : rel.slice(q + 1));
      const r = this.handle({ method, path, query, token: query.get('access_token') ?? token, base });
      lastHeaders = r.headers;
      return {
        code: r.status,
        headers: [
          { name: 'Content-Type', value: 'application/json; charset=UTF-8' },
          ...Object.entries(r.headers).map(([name, value]) => ({ name, value })),
        ],
        body: JSON.stringify(r.body),
      };
    });
    return { status: 200, body: out, headers: lastHeaders };
  }
}

const NONEXISTENT = Symbol('nonexistent');
const OMITTED = Symbol('omitted');

function tokenOf(c: Context, fromBody?: string): string | undefined {
  const q = c.req.query('access_token');
  if (q) return q;
  if (fromBody) return fromBody;
  const h = c.req.header('authorization');
  if (h && /^OAuth\s+/i.test(h)) return h.replace(/^OAuth\s+/i, '').trim();
  return bearer(h);
}

export function createMetaApp(sim: SimContext): Hono {
  const app = new Hono();
  const graph = new GraphApi(sim);
  app.use(
    '*',
    faultMiddleware(sim, 'meta', (status) => ({
      error: {
        message: status === 503 ? 'Service temporarily unavailable' : 'An unknown error has occurred.',
        type: 'OAuthException',
        is_transient: true,
        code: status === 503 ? 2 : 1,
        fbtrace_id: traceId(sim),
      },
    })),
  );
  const prefix = `/${GRAPH_VERSION}`;
  const baseOf = (url: URL) => {
    return `${url.origin}${url.pathname.slice(0, url.pathname.indexOf(prefix) + prefix.length)}`;
  };
  const send = (c: Context, r: GraphResult) => c.json(r.body as Json, r.status as 200, r.headers);

  app.get(`${prefix}/*`, (c) => {
    const url = new URL(c.req.url);
    const path = url.pathname.slice(url.pathname.indexOf(prefix) + prefix.length);
    return send(
      c,
      graph.handle({ method: 'GET', path, query: url.searchParams, token: tokenOf(c), base: baseOf(url) }),
    );
  });
  app.get(prefix, (c) => {
    const url = new URL(c.req.url);
    return send(
      c,
      graph.handle({
        method: 'GET',
        path: '/',
        query: url.searchParams,
        token: tokenOf(c),
        base: baseOf(url),
      }),
    );
  });
  const batch = async (c: Context) => {
    const type = c.req.header('content-type') ?? '';
    let fields: Record<string, string> = {};
    if (type.includes('application/json')) {
      const body = (await c.req.json()) as Record<string, unknown>;
      for (const [k, v] of Object.entries(body)) fields[k] = typeof v === 'string' ? v : JSON.stringify(v);
    } else {
      const form = await c.req.parseBody();
      fields = Object.fromEntries(
        Object.entries(form).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
    }
    const batchParam = fields.batch ?? c.req.query('batch');
    return send(c, graph.batch(batchParam, tokenOf(c, fields.access_token), baseOf(new URL(c.req.url))));
  };
  app.post(prefix, batch);
  app.post(`${prefix}/`, batch);
  // Mounted sub-apps don't get their own notFound, so a catch-all answers in the platform's voice.
  app.all('*', (c) =>
    c.json(
      {
        error: {
          message: `Unknown path components: ${new URL(c.req.url).pathname}`,
          type: 'OAuthException',
          code: 2500,
          fbtrace_id: traceId(sim),
        },
      },
      400,
    ),
  );
  return app;
}
