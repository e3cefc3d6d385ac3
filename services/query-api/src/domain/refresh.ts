import { randomUUID } from 'node:crypto';
import { messageKeys, type Platform, platforms, type RefreshRequest } from '@postpulse/contracts';
import type { Producer } from '@postpulse/kafka';
import type { DomainContext } from '../context.js';

/**
 * Publishes one refresh request per platform (key tenant_id:platform) to `ctx.topic` (in production
 * postpulse.refresh-requests.v1), waiting for all in-sync replicas.
 */
export async function requestRefresh(
  ctx: DomainContext & { producer: Pick<Producer, 'send'>; topic: string },
  input: { platforms?: readonly Platform[] | undefined },
): Promise<{ request_id: string; platforms: Platform[]; requested_at: string }> {
  const chosen = [...new Set(input.platforms && input.platforms.length > 0 ? input.platforms : platforms)];
  const requestId = randomUUID();
  const requestedAt = ctx.now.toISOString();
  const messages = chosen.map((platform) => {
    const value: RefreshRequest = {
      schema_version: 1,
      request_id: requestId,
      tenant_id: ctx.tenantId,
      platform,
      requested_at: requestedAt,
    };
    return { key: messageKeys.refresh(value), value: JSON.stringify(value) };
  });
  await ctx.producer.send({ topic: ctx.topic, acks: -1, messages });
  ctx.logger.info({ refresh_request_id: requestId, platforms: chosen }, 'refresh requested');
  return { request_id: requestId, platforms: chosen, requested_at: requestedAt };
}
