import type { DomainContext } from '../context.js';
import { measureGroups } from './groups.js';
import { round2 } from './math.js';
import { platformBreakdown } from './overview.js';
import type { PostFilter } from './post-set.js';

type Row = ReturnType<typeof platformBreakdown>[number];

const names: Record<string, string> = {
  linkedin: 'LinkedIn',
  twitter: 'X/Twitter',
  facebook: 'Facebook',
  instagram: 'Instagram',
};
const label = (p: string) => names[p] ?? p;

/** Plain-language statements, each derived from the numbers in the same response. */
export function insightsFor(rows: readonly Row[]): string[] {
  const out: string[] = [];
  const rated = rows.filter((r) => r.avg_engagement_rate !== null);
  const ranked = [...rated].sort((a, b) => (b.avg_engagement_rate ?? 0) - (a.avg_engagement_rate ?? 0));
  const best = ranked[0];
  const worst = ranked[ranked.length - 1];
  if (best && worst && ranked.length > 1 && (worst.avg_engagement_rate ?? 0) > 0) {
    const ratio = (best.avg_engagement_rate ?? 0) / (worst.avg_engagement_rate ?? 1);
    out.push(
      `${label(best.platform)} has the highest engagement rate (${best.avg_engagement_rate}%), ` +
        `${round2(ratio)}× that of ${label(worst.platform)} (${worst.avg_engagement_rate}%).`,
    );
  } else if (best) {
    out.push(`${label(best.platform)} has an engagement rate of ${best.avg_engagement_rate}%.`);
  }
  const byPosts = [...rows].sort((a, b) => b.total_posts - a.total_posts);
  const most = byPosts[0];
  if (most && most.total_posts > 0) {
    out.push(
      `${label(most.platform)} carries the most posts: ${most.total_posts} (${most.share_of_posts}% of all).`,
    );
    if (best && most.platform !== best.platform) {
      out.push(
        `Most posts go to ${label(most.platform)}, but ${label(best.platform)} engages better per impression; ` +
          `shifting some posting there may raise overall engagement.`,
      );
    }
  }
  const byImpr = [...rows]
    .filter((r) => r.total_impressions !== null)
    .sort((a, b) => (b.total_impressions ?? 0) - (a.total_impressions ?? 0));
  const reach = byImpr[0];
  if (reach && (reach.total_impressions ?? 0) > 0) {
    out.push(`${label(reach.platform)} brings the most impressions: ${reach.total_impressions}.`);
  }
  for (const r of rows) {
    if (r.total_posts > 0 && r.avg_engagement_rate === null) {
      out.push(`${label(r.platform)} reported no impressions, so its engagement rate is unknown.`);
    }
  }
  return out;
}

export async function platformComparison(ctx: DomainContext, filter: PostFilter) {
  const { total, platforms } = await measureGroups(ctx, filter, { total: true, platforms: true });
  const rows = platformBreakdown(total, platforms);
  const ranking = rows
    .filter((r) => r.avg_engagement_rate !== null)
    .sort(
      (a, b) =>
        (b.avg_engagement_rate ?? 0) - (a.avg_engagement_rate ?? 0) || (a.platform < b.platform ? -1 : 1),
    )
    .map((r, i) => ({ rank: i + 1, platform: r.platform, avg_engagement_rate: r.avg_engagement_rate }));
  return { platforms: rows, ranking, insights: insightsFor(rows) };
}
