import {
  type AccountMetricsSnapshot,
  accountMetricsSnapshotSchema,
  type PostMetricsSnapshot,
  postMetricsSnapshotSchema,
} from '@postpulse/contracts';
import type { KafkaMessage } from '@postpulse/kafka';
import type { z } from 'zod';
import type { ClickHouseStore } from './clickhouse-store.js';
import { decodeEvent } from './decode.js';
import type { Rejected } from './dlq.js';
import type { PostgresStore } from './postgres-store.js';

export type StreamKind = 'post' | 'account';

export interface Stores {
  postgres: PostgresStore;
  clickhouse: ClickHouseStore;
}

export type DecodedBatch =
  | { kind: 'post'; events: PostMetricsSnapshot[]; rejected: Rejected[] }
  | { kind: 'account'; events: AccountMetricsSnapshot[]; rejected: Rejected[] };

function split<T extends { observed_at: string }>(
  messages: readonly KafkaMessage[],
  schema: z.ZodType<T>,
  maxBytes: number,
): { events: T[]; rejected: Rejected[] } {
  const events: T[] = [];
  const rejected: Rejected[] = [];
  for (const message of messages) {
    const result = decodeEvent(message.value, schema, maxBytes);
    if (result.ok) events.push(result.event);
    else rejected.push({ message, reason: result.reason, detail: result.detail });
  }
  return { events, rejected };
}

/** Validates once per micro-batch, before any retry of the writes. */
export function decodeMicroBatch(
  kind: StreamKind,
  messages: readonly KafkaMessage[],
  maxMessageBytes: number,
): DecodedBatch {
  return kind === 'post'
    ? { kind, ...split(messages, postMetricsSnapshotSchema, maxMessageBytes) }
    : { kind, ...split(messages, accountMetricsSnapshotSchema, maxMessageBytes) };
}

/**
 * Writes the valid events: Postgres first (the source of truth, and where ClickHouse rows get the
 * post's dimensions from), then ClickHouse. Throws when either store refuses; both writes are
 * idempotent, so the caller retries the whole micro-batch. Returns the ClickHouse rows written.
 */
export async function writeMicroBatch(stores: Stores, batch: DecodedBatch): Promise<number> {
  if (batch.kind === 'post') {
    const dimensions = await stores.postgres.writePostSnapshots(batch.events);
    return stores.clickhouse.writePostSnapshots(batch.events, dimensions);
  }
  await stores.postgres.writeAccountSnapshots(batch.events);
  return stores.clickhouse.writeAccountSnapshots(batch.events);
}
