import { dlqHeaders } from '@postpulse/contracts';
import type { KafkaMessage, Message } from '@postpulse/kafka';
import type { RejectReason } from './decode.js';

export interface Rejected {
  message: KafkaMessage;
  reason: RejectReason;
  detail: string;
}

/**
 * The rejected bytes go to `<topic>.dlq` unchanged, with the same key (so a replay lands on the same
 * partition) and the source's headers, plus ours saying why and where from.
 */
export function toDlqMessage(sourceTopic: string, partition: number, rejected: Rejected): Message {
  return {
    key: rejected.message.key,
    value: rejected.message.value,
    headers: {
      ...rejected.message.headers,
      [dlqHeaders.reason]: rejected.reason,
      [dlqHeaders.detail]: rejected.detail,
      [dlqHeaders.sourceTopic]: sourceTopic,
      [dlqHeaders.sourcePartition]: String(partition),
      [dlqHeaders.sourceOffset]: rejected.message.offset,
    },
  };
}
