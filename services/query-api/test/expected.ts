// An independent computation of what the API should say, straight from the events the test produced.
// It shares no code with the service: local dates come from Intl's sv-SE format, not from domain/time.ts.
import type { AccountMetricsSnapshot, PostMetricsSnapshot } from '@postpulse/contracts';

export interface ExpectedPost {
  platform: string;
  platform_post_id: string;
  published_at: string;
  local: string; // YYYY-MM-DD HH:mm:ss in the zone
  content_type: string;
  text: string;
  hashtags: string[];
  latest: PostMetricsSnapshot['metrics'];
  observations: PostMetricsSnapshot[];
}

export const localTime = (iso: string, tz: string) =>
  new Date(iso).toLocaleString('sv-SE', { timeZone: tz, hourCycle: 'h23' }).replace(',', '');

export function latestPosts(events: readonly PostMetricsSnapshot[], tz: string): ExpectedPost[] {
  const by = new Map<string, PostMetricsSnapshot[]>();
  for (const e of events) {
    const k = `${e.platform}:${e.platform_post_id}`;
    by.set(k, [...(by.get(k) ?? []), e]);
  }
  return [...by.values()].map((obs) => {
    const sorted = [...obs].sort((a, b) => Date.parse(a.observed_at) - Date.parse(b.observed_at));
    const withPost = sorted.find((e) => e.post);
    const last = sorted[sorted.length - 1];
    if (!withPost?.post || !last) throw new Error('fixture without post attributes');
    return {
      platform: last.platform,
      platform_post_id: last.platform_post_id,
      published_at: withPost.post.published_at,
      local: localTime(withPost.post.published_at, tz),
      content_type: withPost.post.content_type,
      text: withPost.post.content_text ?? '',
      hashtags: withPost.post.hashtags,
      latest: last.metrics,
      observations: sorted,
    };
  });
}

export const inLocalRange = (p: ExpectedPost, start: string, end: string) =>
  p.local.slice(0, 10) >= start && p.local.slice(0, 10) <= end;

const r2 = (v: number) => Math.round((v + Number.EPSILON) * 100) / 100;
const eng = (m: PostMetricsSnapshot['metrics']) =>
  (m.likes_count ?? 0) + (m.comments_count ?? 0) + (m.shares_count ?? 0);

export function expectedSummary(posts: readonly ExpectedPost[]) {
  const sum = (f: (m: PostMetricsSnapshot['metrics']) => number | null) => {
    const vals = posts.map((p) => f(p.latest)).filter((v): v is number => v !== null);
    return posts.length === 0 ? 0 : vals.length === 0 ? null : vals.reduce((a, b) => a + b, 0);
  };
  const known = posts.filter((p) => (p.latest.impressions ?? 0) > 0);
  const num = known.reduce((a, p) => a + eng(p.latest), 0);
  const den = known.reduce((a, p) => a + (p.latest.impressions ?? 0), 0);
  const ctrPosts = known.filter((p) => p.latest.clicks !== null);
  const cn = ctrPosts.reduce((a, p) => a + (p.latest.clicks ?? 0), 0);
  const cd = ctrPosts.reduce((a, p) => a + (p.latest.impressions ?? 0), 0);
  return {
    total_posts: posts.length,
    total_likes: sum((m) => m.likes_count),
    total_comments: sum((m) => m.comments_count),
    total_shares: sum((m) => m.shares_count),
    total_impressions: sum((m) => m.impressions),
    total_reach: sum((m) => m.reach),
    total_clicks: sum((m) => m.clicks),
    avg_engagement_rate: den > 0 ? r2((num / den) * 100) : null,
    click_through_rate: cd > 0 ? r2((cn / cd) * 100) : null,
  };
}

export const postRate = (p: ExpectedPost) =>
  (p.latest.impressions ?? 0) > 0 ? (eng(p.latest) / (p.latest.impressions ?? 1)) * 100 : null;

/** Rank of each value, 1-based; equal values share the mean of their positions. */
function averageRanks(values: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return values.map((v) => (sorted.indexOf(v) + sorted.lastIndexOf(v)) / 2 + 1);
}

/** Spearman's rho (Pearson on average ranks) over the posts' text lengths and rates, rounded. */
export function expectedLengthRateRho(posts: readonly ExpectedPost[]): number {
  const rated = posts.filter((p) => postRate(p) !== null);
  const x = averageRanks(rated.map((p) => [...p.text].length));
  const y = averageRanks(rated.map((p) => postRate(p) ?? 0));
  const mean = (rated.length + 1) / 2;
  const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + (v - mean) * ((b[i] ?? 0) - mean), 0);
  return r2(dot(x, y) / Math.sqrt(dot(x, x) * dot(y, y)));
}

/** Σ over posts of likes gained per local day of observation, from the observations themselves. */
export function expectedLikesGainedByDay(
  posts: readonly ExpectedPost[],
  tz: string,
  start: string,
  end: string,
) {
  const out = new Map<string, number>();
  for (const p of posts) {
    let prev = 0;
    const lastPerDay = new Map<string, number>();
    for (const o of p.observations) {
      const day = localTime(o.observed_at, tz).slice(0, 10);
      if (day < start) prev = o.metrics.likes_count ?? prev;
      else if (day <= end) lastPerDay.set(day, o.metrics.likes_count ?? 0);
    }
    for (const [day, v] of [...lastPerDay.entries()].sort()) {
      out.set(day, (out.get(day) ?? 0) + v - prev);
      prev = v;
    }
  }
  return out;
}

export const weekdayNames = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
export function localWeekdayHour(p: ExpectedPost) {
  const d = new Date(`${p.local.slice(0, 10)}T00:00:00Z`);
  return { day: weekdayNames[(d.getUTCDay() + 6) % 7] ?? '', hour: Number(p.local.slice(11, 13)) };
}

/**
 * Engagement rate of what was gained per local day: over the observations of the day that gained
 * impressions over the post's previous observation, Σ gained engagements / Σ gained impressions × 100.
 */
export function expectedActivityRateByDay(
  posts: readonly ExpectedPost[],
  tz: string,
  start: string,
  end: string,
) {
  const num = new Map<string, number>();
  const den = new Map<string, number>();
  for (const p of posts) {
    let prev: PostMetricsSnapshot['metrics'] | undefined;
    for (const o of p.observations) {
      const day = localTime(o.observed_at, tz).slice(0, 10);
      const m = o.metrics;
      const gi = m.impressions === null ? null : m.impressions - (prev?.impressions ?? 0);
      if (day >= start && day <= end && gi !== null && gi > 0) {
        num.set(day, (num.get(day) ?? 0) + eng(m) - (prev ? eng(prev) : 0));
        den.set(day, (den.get(day) ?? 0) + gi);
      }
      prev = m;
    }
  }
  return new Map([...den.entries()].map(([day, d]) => [day, r2(((num.get(day) ?? 0) / d) * 100)]));
}

/** Posts observed per local day of the range. */
export function expectedPostsObservedByDay(
  posts: readonly ExpectedPost[],
  tz: string,
  start: string,
  end: string,
) {
  const out = new Map<string, number>();
  for (const p of posts) {
    const days = new Set(p.observations.map((o) => localTime(o.observed_at, tz).slice(0, 10)));
    for (const day of days) if (day >= start && day <= end) out.set(day, (out.get(day) ?? 0) + 1);
  }
  return out;
}

/**
 * Σ over accounts of (followers at the last observation before `to`) − (followers at the last one before
 * `from`, else the first one in [from, to)); null when no account has both.
 */
export function expectedFollowerGrowth(
  events: readonly AccountMetricsSnapshot[],
  from: Date,
  to: Date,
): number | null {
  const byAccount = new Map<string, { at: number; followers: number }[]>();
  for (const e of events) {
    if (e.metrics.followers_count === null) continue;
    const key = `${e.platform}|${e.account_id}`;
    const list = byAccount.get(key) ?? [];
    list.push({ at: Date.parse(e.observed_at), followers: e.metrics.followers_count });
    byAccount.set(key, list);
  }
  let growth: number | null = null;
  for (const list of byAccount.values()) {
    list.sort((x, y) => x.at - y.at);
    const before = (t: number) => list.filter((o) => o.at < t).at(-1);
    const last = before(to.getTime());
    const first = before(from.getTime()) ?? list.find((o) => o.at >= from.getTime() && o.at < to.getTime());
    if (last && first) growth = (growth ?? 0) + last.followers - first.followers;
  }
  return growth;
}
