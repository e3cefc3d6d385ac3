// Three replicas on a compressed clock against the simulated Graph API (Pages and Instagram).
import { parseConfig } from '@postpulse/config';
import { replicaSuite } from '@postpulse/ingest/testing';
import { metaConfigSchema } from '../src/config.js';
import { startMetaIngest } from '../src/service.js';

replicaSuite({
  name: 'ingest-meta',
  platforms: ['facebook', 'instagram'],
  start: (rig) =>
    startMetaIngest(parseConfig(metaConfigSchema, rig.env), {
      clock: rig.clock,
      logger: rig.logger,
      topics: rig.topics,
      redisKeyPrefix: rig.redisKeyPrefix,
    }),
  visible: (post) => post.productType !== 'STORY',
  expected: (platform, m, post) =>
    platform === 'facebook'
      ? {
          impressions: m.impressions,
          reach: m.reach,
          clicks: m.clicks,
          likes_count: m.reactions.like ?? 0,
          comments_count: m.comments,
          shares_count: m.shares,
          saves_count: null,
          reactions_count: m.likes,
          retweets_count: null,
          quote_tweets_count: null,
          video_views: m.video_views,
          video_watch_time: null,
        }
      : {
          impressions: m.impressions,
          reach: m.reach,
          clicks: null,
          likes_count: m.likes,
          comments_count: m.comments,
          shares_count: m.shares,
          saves_count: m.saves,
          reactions_count: null,
          retweets_count: null,
          quote_tweets_count: null,
          // Instagram `views` (the impressions figure) is the video view count for videos and reels.
          video_views: post.contentType === 'video' ? m.impressions : null,
          video_watch_time: null,
        },
});
