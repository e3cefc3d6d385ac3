// postpulse.refresh-requests.v1 → "this tenant's posts on this platform are due now".
import { dlqHeaders, dlqTopic, type Platform, refreshRequestSchema, topics } from '@postpulse/contracts';
import type { Database } from '@postpulse/db';
import type { Consumer, Producer } from '@postpulse/kafka';
import type { Logger } from '@postpulse/logging';
import type { Clock } from '@postpulse/ratelimit';
import type { Kysely } from 'kysely';
import { requestRefresh } from './store.js';

export interface RefreshConsumerDeps {
  consumer: Consumer;
  producer: Producer;
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  platforms: readonly Platform[];
  topic?: string;
  /** Called after a request moved work forward, to wake the worker. */
  onRefresh?: () => void;
}

export async function startRefreshConsumer(deps: RefreshConsumerDeps): Promise<void> {
  const topic = deps.topic ?? topics.refreshRequests;
  const log = deps.logger.child({ component: 'refresh-requests' });
  await deps.consumer.subscribe({ topic, fromBeginning: false });
  await deps.consumer.run({
    eachMessage: async ({ message, partition }) => {
      let value: unknown;
      try {
        value = JSON.parse(message.value?.toString('utf8') ?? '');
      } catch {
        value = undefined;
      }
      const parsed = refreshRequestSchema.safeParse(value);
      if (!parsed.success) {
        log.warn({ offset: message.offset }, 'invalid refresh request sent to the DLQ');
        await deps.producer.send({
          topic: dlqTopic(topic),
          acks: -1,
          messages: [
            {
              key: message.key,
              value: message.value,
              headers: {
                [dlqHeaders.reason]: 'invalid',
                [dlqHeaders.detail]: parsed.error.issues
                  .map((i) => `${i.path.join('.')}: ${i.message}`)
                  .join('; ')
                  .slice(0, 1000),
                [dlqHeaders.sourceTopic]: topic,
                [dlqHeaders.sourcePartition]: String(partition),
                [dlqHeaders.sourceOffset]: message.offset,
              },
            },
          ],
        });
        return;
      }
      const req = parsed.data;
      if (!deps.platforms.includes(req.platform)) return;
      const n = await requestRefresh(deps.db, {
        tenant_id: req.tenant_id,
        platforms: [req.platform],
        now: deps.clock.now(),
      });
      log.info(
        { tenant_id: req.tenant_id, platform: req.platform, request_id: req.request_id, posts: n },
        'refresh requested',
      );
      deps.onRefresh?.();
    },
  });
}
