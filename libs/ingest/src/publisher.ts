// Publishes snapshot and status events: validated against the contract, keyed as the contract says,
// sent with acks: -1 (every in-sync replica) through the idempotent producer.
import {
  type AccountMetricsSnapshot,
  type AccountStatus,
  accountMetricsSnapshotSchema,
  accountStatusSchema,
  messageKeys,
  type PostMetricsSnapshot,
  postMetricsSnapshotSchema,
  topics,
} from '@postpulse/contracts';
import type { Message, Producer } from '@postpulse/kafka';
import type { Logger } from '@postpulse/logging';

export interface EventSink {
  posts(events: readonly PostMetricsSnapshot[]): Promise<void>;
  accounts(events: readonly AccountMetricsSnapshot[]): Promise<void>;
  status(event: AccountStatus): Promise<void>;
}

export interface TopicNames {
  postMetrics: string;
  accountMetrics: string;
  accountStatus: string;
}

export class KafkaEventSink implements EventSink {
  constructor(
    private readonly producer: Producer,
    private readonly logger: Logger,
    private readonly names: TopicNames = topics,
  ) {}

  private async send(topic: string, messages: Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 500) {
      await this.producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
    }
  }

  async posts(events: readonly PostMetricsSnapshot[]): Promise<void> {
    const valid = events.filter((e) => {
      const r = postMetricsSnapshotSchema.safeParse(e);
      if (!r.success)
        this.logger.error(
          { platform_post_id: e.platform_post_id, issues: r.error.issues },
          'invalid snapshot dropped',
        );
      return r.success;
    });
    await this.send(
      this.names.postMetrics,
      valid.map((e) => ({ key: messageKeys.post(e), value: JSON.stringify(e) })),
    );
  }

  async accounts(events: readonly AccountMetricsSnapshot[]): Promise<void> {
    const valid = events.filter((e) => accountMetricsSnapshotSchema.safeParse(e).success);
    await this.send(
      this.names.accountMetrics,
      valid.map((e) => ({ key: messageKeys.account(e), value: JSON.stringify(e) })),
    );
  }

  async status(event: AccountStatus): Promise<void> {
    const e = accountStatusSchema.parse(event);
    await this.send(this.names.accountStatus, [
      { key: `${e.tenant_id}:${e.platform}:${e.account_id}`, value: JSON.stringify(e) },
    ]);
  }
}
