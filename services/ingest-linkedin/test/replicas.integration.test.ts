// Three replicas on a compressed clock against the simulated LinkedIn API and the real stack.
import { parseConfig } from '@postpulse/config';
import { replicaSuite } from '@postpulse/ingest/testing';
import { linkedinConfigSchema } from '../src/config.js';
import { startLinkedInIngest } from '../src/service.js';

replicaSuite({
  name: 'ingest-linkedin',
  platforms: ['linkedin'],
  start: (rig) =>
    startLinkedInIngest(parseConfig(linkedinConfigSchema, rig.env), {
      clock: rig.clock,
      logger: rig.logger,
      topics: rig.topics,
      redisKeyPrefix: rig.redisKeyPrefix,
    }),
  expected: (_platform, m) => ({
    impressions: m.impressions,
    reach: m.reach,
    clicks: m.clicks,
    likes_count: m.likes,
    comments_count: m.comments,
    shares_count: m.shares,
    saves_count: null,
    reactions_count: Object.values(m.reactions).reduce((s, n) => s + n, 0),
    retweets_count: null,
    quote_tweets_count: null,
    video_views: null,
    video_watch_time: null,
  }),
});
