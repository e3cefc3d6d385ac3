// Which native field feeds each snapshot metric, per platform: the single table the normalizers
// follow and libs/ingest/README.md prints. `null` = the platform does not report it (published as
// null, never 0).
import type { Platform, PostMetrics } from '@postpulse/contracts';

export interface MappingEntry {
  source: string | null;
  note?: string;
}

export const metricMapping: Record<keyof PostMetrics, Record<Platform, MappingEntry>> = {
  impressions: {
    twitter: {
      source: 'non_public_metrics.impression_count, else public_metrics.impression_count',
      note: 'private figure for own posts < 30 days; the public one otherwise',
    },
    linkedin: { source: 'totalShareStatistics.impressionCount', note: 'organic only' },
    facebook: {
      source: 'insights post_media_view',
      note: 'replaces post_impressions (retired 2025-11-15)',
    },
    instagram: { source: 'insights views', note: 'replaces impressions/plays (retired); new definition' },
  },
  reach: {
    twitter: { source: null, note: 'X reports no unique reach' },
    linkedin: { source: 'totalShareStatistics.uniqueImpressionsCount' },
    facebook: {
      source: 'insights post_total_media_view_unique',
      note: 'replaces post_impressions_unique (retired 2026-06-15)',
    },
    instagram: { source: 'insights reach' },
  },
  clicks: {
    twitter: {
      source: 'non_public_metrics.url_link_clicks',
      note: 'null after 30 days (X stops reporting it)',
    },
    linkedin: { source: 'totalShareStatistics.clickCount' },
    facebook: { source: 'insights post_clicks' },
    instagram: { source: null, note: 'no per-media click metric' },
  },
  likes_count: {
    twitter: { source: 'public_metrics.like_count' },
    linkedin: {
      source: 'totalShareStatistics.likeCount',
      note: 'a negative value is an anomaly: null, logged',
    },
    facebook: {
      source: 'insights post_reactions_by_type_total.like',
      note: 'the Like reaction only; a missing key is 0 (Meta lists non-zero types only)',
    },
    instagram: {
      source: 'insights likes, else like_count',
      note: 'like_count absent when likes are hidden: null',
    },
  },
  comments_count: {
    twitter: { source: 'public_metrics.reply_count' },
    linkedin: { source: 'totalShareStatistics.commentCount, else socialMetadata commentSummary.count' },
    facebook: { source: 'comments.summary(true).total_count' },
    instagram: { source: 'insights comments, else comments_count' },
  },
  shares_count: {
    twitter: {
      source: 'retweet_count + quote_count',
      note: 'the parts stay in retweets_count / quote_tweets_count',
    },
    linkedin: { source: 'totalShareStatistics.shareCount' },
    facebook: { source: 'shares.count', note: 'Facebook omits `shares` when nobody shared: 0' },
    instagram: { source: 'insights shares' },
  },
  saves_count: {
    twitter: { source: 'public_metrics.bookmark_count' },
    linkedin: { source: null },
    facebook: { source: null },
    instagram: { source: 'insights saved' },
  },
  reactions_count: {
    twitter: { source: null },
    linkedin: { source: 'Σ socialMetadata reactionSummaries[*].count', note: 'all reaction types' },
    facebook: {
      source: 'reactions.summary(true).total_count, else Σ post_reactions_by_type_total',
      note: 'all reaction types',
    },
    instagram: { source: null },
  },
  retweets_count: {
    twitter: { source: 'public_metrics.retweet_count' },
    linkedin: { source: null },
    facebook: { source: null },
    instagram: { source: null },
  },
  quote_tweets_count: {
    twitter: { source: 'public_metrics.quote_count' },
    linkedin: { source: null },
    facebook: { source: null },
    instagram: { source: null },
  },
  video_views: {
    twitter: {
      source: 'includes.media[].public_metrics.view_count',
      note: 'joined via attachments.media_keys; null without video',
    },
    linkedin: { source: 'totalShareStatistics.videoViews', note: 'when LinkedIn includes it' },
    facebook: { source: 'insights post_video_views', note: '0 for posts without video, as Meta reports it' },
    instagram: { source: 'insights views of VIDEO / REELS media', note: 'null for images and carousels' },
  },
  video_watch_time: {
    twitter: { source: null },
    linkedin: { source: null },
    facebook: { source: null, note: 'post_video_view_time not requested (ms, per-post cost)' },
    instagram: {
      source: 'insights ig_reels_video_view_total_time / 1000',
      note: 'only when that metric is configured (Reels only)',
    },
  },
};

/** The table as Markdown, for the README (a unit test keeps the README in sync). */
export function mappingMarkdown(): string {
  const platforms: Platform[] = ['twitter', 'linkedin', 'facebook', 'instagram'];
  const labels: Record<Platform, string> = {
    twitter: 'X',
    linkedin: 'LinkedIn',
    facebook: 'Facebook',
    instagram: 'Instagram',
  };
  const cell = (e: MappingEntry) =>
    (e.source === null ? '— (null)' : `\`${e.source}\``) + (e.note ? ` — ${e.note}` : '');
  const lines = [
    `| snapshot field | ${platforms.map((p) => labels[p]).join(' | ')} |`,
    `|---|${platforms.map(() => '---').join('|')}|`,
  ];
  for (const [field, row] of Object.entries(metricMapping)) {
    lines.push(`| \`${field}\` | ${platforms.map((p) => cell(row[p])).join(' | ')} |`);
  }
  return lines.join('\n');
}
