import { createHash } from 'node:crypto';

// Fixed namespace (RFC 9562 UUIDv5), distinct from the event-id one, so ids are reproducible anywhere.
const NAMESPACE = Buffer.from('3c8d3e52a4f14b0e9a51f6a0c2d9b7e4', 'hex');

/**
 * `posts.id`: derived from the natural key, so every writer and every rebuild gives a post the same id
 * and the aggregator knows it without a round trip.
 */
export function postId(key: { tenant_id: string; platform: string; platform_post_id: string }): string {
  const hash = createHash('sha1')
    .update(NAMESPACE)
    .update(`${key.tenant_id}\u0000${key.platform}\u0000${key.platform_post_id}`)
    .digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
