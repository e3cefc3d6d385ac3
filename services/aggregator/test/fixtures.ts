import { randomUUID } from 'node:crypto';
import {
  type AccountMetricsSnapshot,
  emptyPostMetrics,
  messageKeys,
  type PostMetrics,
  type PostMetricsSnapshot,
  snapshotEventId,
} from '@postpulse/contracts';
import type { Message } from '@postpulse/kafka';

export const emptyMetrics: PostMetrics = emptyPostMetrics();

export function postEvent(
  over: Partial<PostMetricsSnapshot> &
    Pick<PostMetricsSnapshot, 'tenant_id' | 'platform_post_id' | 'observed_at'>,
): PostMetricsSnapshot {
  const base = {
    schema_version: 1 as const,
    platform: 'linkedin' as const,
    account_id: 'org-1',
    post: {
      published_at: '2026-11-01T09:30:00Z',
      content_type: 'text' as const,
      content_text: 'Hello #growth',
      hashtags: ['growth'],
      platform_post_url: 'https://example.com/p/1',
    },
    metrics: { ...emptyMetrics, impressions: 100, likes_count: 10, comments_count: 2, shares_count: 1 },
    ...over,
  };
  return {
    ...base,
    event_id:
      over.event_id ??
      snapshotEventId({
        tenant_id: base.tenant_id,
        platform: base.platform,
        subject_id: base.platform_post_id,
        observed_at: base.observed_at,
      }),
  };
}

export function accountEvent(
  over: Partial<AccountMetricsSnapshot> & Pick<AccountMetricsSnapshot, 'tenant_id' | 'observed_at'>,
): AccountMetricsSnapshot {
  return {
    schema_version: 1,
    event_id: randomUUID(),
    platform: 'linkedin',
    account_id: 'org-1',
    metrics: { followers_count: 1000, following_count: 10, posts_count: 50 },
    ...over,
  };
}

export const postMessage = (e: PostMetricsSnapshot): Message => ({
  key: messageKeys.post(e),
  value: JSON.stringify(e),
});
export const accountMessage = (e: AccountMetricsSnapshot): Message => ({
  key: messageKeys.account(e),
  value: JSON.stringify(e),
});
