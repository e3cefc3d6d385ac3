import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  dlqTopic,
  jsonSchemaFiles,
  messageKeys,
  postMetricNames,
  postMetricsSnapshotSchema,
  renderJsonSchema,
  snapshotEventId,
  topics,
} from '../src/index.js';

// The example from ARCHITECTURE.md, with concrete ids.
const example = {
  schema_version: 1,
  event_id: '9b1c3f0e-8d2a-4c1b-9e3f-2a1b0c9d8e7f',
  tenant_id: '3f2b1c0d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  platform: 'linkedin',
  account_id: 'urn:li:organization:2414183',
  platform_post_id: 'urn:li:share:7123456789012345678',
  observed_at: '2025-01-16T08:00:00Z',
  post: {
    published_at: '2025-01-15T10:00:00Z',
    content_type: 'text',
    content_text: 'How to scale your business… #growth',
    hashtags: ['growth'],
    platform_post_url: 'https://www.linkedin.com/feed/update/urn:li:share:7123456789012345678',
  },
  metrics: {
    impressions: 5678,
    reach: 4521,
    clicks: 89,
    likes_count: 234,
    comments_count: 45,
    shares_count: 12,
    saves_count: null,
    reactions_count: null,
    retweets_count: null,
    quote_tweets_count: null,
    video_views: null,
    video_watch_time: null,
  },
};

describe('post metrics snapshot v1', () => {
  it('accepts the documented example, and a null post', () => {
    expect(postMetricsSnapshotSchema.parse(example)).toEqual(example);
    expect(postMetricsSnapshotSchema.safeParse({ ...example, post: null }).success).toBe(true);
  });

  it.each([
    ['an unknown platform', { platform: 'myspace' }],
    ['a missing metric (absent is not null)', { metrics: { ...example.metrics, reach: undefined } }],
    ['a fractional count', { metrics: { ...example.metrics, likes_count: 1.5 } }],
    ['a count given as a string', { metrics: { ...example.metrics, likes_count: '12' } }],
    ['a time without offset', { observed_at: '2025-01-16 08:00:00' }],
    ['another schema version', { schema_version: 2 }],
    ['a non-uuid tenant', { tenant_id: 'acme' }],
  ])('rejects %s', (_label, patch) => {
    expect(postMetricsSnapshotSchema.safeParse({ ...example, ...patch }).success).toBe(false);
  });
});

describe('topics', () => {
  it('keeps the public names and keys', () => {
    expect(topics.postMetrics).toBe('postpulse.post-metrics.v1');
    expect(dlqTopic(topics.postMetrics)).toBe('postpulse.post-metrics.v1.dlq');
    expect(messageKeys.post(postMetricsSnapshotSchema.parse(example))).toBe(
      '3f2b1c0d-4e5f-4a6b-8c7d-9e0f1a2b3c4d:linkedin:urn:li:share:7123456789012345678',
    );
  });
});

describe('JSON Schema files', () => {
  it.each(Object.entries(jsonSchemaFiles))(
    '%s is up to date (npm run contracts:schema regenerates it)',
    (file, schema) => {
      const onDisk = readFileSync(new URL(`../schema/${file}`, import.meta.url), 'utf8');
      expect(onDisk).toBe(renderJsonSchema(schema));
    },
  );
});

describe('snapshotEventId', () => {
  const parts = {
    tenant_id: example.tenant_id,
    platform: 'twitter',
    subject_id: '1',
    observed_at: '2025-01-16T08:00:00Z',
  };
  it('is a stable v5 uuid, equal for the same instant written differently', () => {
    const id = snapshotEventId(parts);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(snapshotEventId({ ...parts, observed_at: '2025-01-16T09:00:00+01:00' })).toBe(id);
    expect(snapshotEventId({ ...parts, subject_id: '2' })).not.toBe(id);
  });
});

describe('postMetricNames', () => {
  it('lists every metric of the snapshot, in contract order', () => {
    expect(postMetricNames).toEqual(Object.keys(example.metrics));
  });
});
