import { createHash } from 'node:crypto';

// A fixed namespace makes the ids reproducible across services and replicas (RFC 9562 UUIDv5).
const NAMESPACE = Buffer.from('6f1c2a3e9b7d4c5e8f0a1b2c3d4e5f60', 'hex');

function uuidV5(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The same observation always gets the same id, so a retried publish is a duplicate the
 * aggregator absorbs. `observedAt` is normalized to UTC milliseconds first.
 */
export function snapshotEventId(parts: {
  tenant_id: string;
  platform: string;
  subject_id: string;
  observed_at: string;
}): string {
  const observed = new Date(parts.observed_at).toISOString();
  return uuidV5(`${parts.tenant_id}\u0000${parts.platform}\u0000${parts.subject_id}\u0000${observed}`);
}
