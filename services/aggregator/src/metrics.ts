import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface AggregatorMetrics {
  consumed: Counter<'topic'>;
  written: Counter<'topic'>;
  clickhouseRows: Counter<'table'>;
  dlq: Counter<'topic' | 'reason'>;
  storeFailures: Counter<'topic'>;
  batchSize: Histogram<'topic'>;
  batchDuration: Histogram<'topic'>;
  lag: Gauge<'topic' | 'partition'>;
}

export function createAggregatorMetrics(registry: Registry): AggregatorMetrics {
  const registers = [registry];
  return {
    consumed: new Counter({
      name: 'aggregator_messages_consumed_total',
      help: 'Messages taken from Kafka (valid and invalid), counted once per successful micro-batch.',
      labelNames: ['topic'],
      registers,
    }),
    written: new Counter({
      name: 'aggregator_events_written_total',
      help: 'Valid events accepted by both Postgres and ClickHouse.',
      labelNames: ['topic'],
      registers,
    }),
    clickhouseRows: new Counter({
      name: 'aggregator_clickhouse_rows_written_total',
      help: 'Hourly rollup rows sent to ClickHouse (one per key and hour per micro-batch).',
      labelNames: ['table'],
      registers,
    }),
    dlq: new Counter({
      name: 'aggregator_dlq_messages_total',
      help: 'Messages sent to <topic>.dlq, by reason.',
      labelNames: ['topic', 'reason'],
      registers,
    }),
    storeFailures: new Counter({
      name: 'aggregator_store_failures_total',
      help: 'Micro-batch attempts a store or the DLQ producer refused; the micro-batch is retried.',
      labelNames: ['topic'],
      registers,
    }),
    batchSize: new Histogram({
      name: 'aggregator_micro_batch_size',
      help: 'Messages per micro-batch.',
      labelNames: ['topic'],
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000, 10000],
      registers,
    }),
    batchDuration: new Histogram({
      name: 'aggregator_micro_batch_duration_seconds',
      help: 'From decode to both stores accepting a micro-batch (retries included).',
      labelNames: ['topic'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    lag: new Gauge({
      name: 'aggregator_consumer_lag',
      help: 'Messages behind the high watermark at the last fetched batch, per partition.',
      labelNames: ['topic', 'partition'],
      registers,
    }),
  };
}
