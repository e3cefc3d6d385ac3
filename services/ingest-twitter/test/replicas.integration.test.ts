// Three replicas on a compressed clock against the simulated X API and the real stack.
import { parseConfig } from '@postpulse/config';
import { replicaSuite } from '@postpulse/ingest/testing';
import { twitterConfigSchema } from '../src/config.js';
import { startTwitterIngest } from '../src/service.js';

const DAY = 86_400_000;

replicaSuite({
  name: 'ingest-twitter',
  platforms: ['twitter'],
  start: (rig) =>
    startTwitterIngest(parseConfig(twitterConfigSchema, rig.env), {
      clock: rig.clock,
      logger: rig.logger,
      topics: rig.topics,
      redisKeyPrefix: rig.redisKeyPrefix,
    }),
  expected: (_platform, m, post, at) => ({
    impressions: m.impressions,
    reach: null,
    // X reports link clicks privately, and only for posts younger than 30 days.
    clicks: at - post.publishedAt <= 30 * DAY ? m.clicks : null,
    likes_count: m.likes,
    comments_count: m.comments,
    shares_count: m.shares + m.quotes,
    saves_count: m.saves,
    reactions_count: null,
    retweets_count: m.shares,
    quote_tweets_count: m.quotes,
    video_views: post.contentType === 'video' ? m.video_views : null,
    video_watch_time: null,
  }),
});
