/** Kafka topic names: a public contract that downstream teams consume. Change only by adding. */
export const topics = {
  postMetrics: 'postpulse.post-metrics.v1',
  accountMetrics: 'postpulse.account-metrics.v1',
  refreshRequests: 'postpulse.refresh-requests.v1',
  accountStatus: 'postpulse.account-status.v1',
} as const;

export type TopicName = (typeof topics)[keyof typeof topics];

/** Rejected messages of a topic go to `<topic>.dlq`, keyed as the source. */
export const dlqTopic = (topic: string): string => `${topic}.dlq`;

/** Headers a DLQ message carries to say why it was rejected and where it came from. */
export const dlqHeaders = {
  reason: 'postpulse-dlq-reason',
  detail: 'postpulse-dlq-detail',
  sourceTopic: 'postpulse-dlq-source-topic',
  sourcePartition: 'postpulse-dlq-source-partition',
  sourceOffset: 'postpulse-dlq-source-offset',
} as const;

export const allTopics: readonly string[] = [
  ...Object.values(topics),
  ...Object.values(topics).map(dlqTopic),
];
