import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface IngestMetrics {
  requests: Counter<'platform' | 'endpoint' | 'outcome'>;
  requestSeconds: Histogram<'platform' | 'endpoint'>;
  breakerState: Gauge<'platform' | 'endpoint'>;
  breakerTransitions: Counter<'platform' | 'endpoint' | 'state'>;
  refusedByLimiter: Counter<'platform' | 'bucket'>;
  postsRefreshed: Counter<'platform'>;
  snapshotsPublished: Counter<'platform' | 'topic'>;
  itemErrors: Counter<'platform' | 'kind'>;
  accountStatus: Counter<'platform' | 'status'>;
}

const byRegistry = new WeakMap<Registry, IngestMetrics>();

/** One set of metrics per registry, however many clients and workers share it. */
export function ingestMetrics(registry: Registry): IngestMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const m: IngestMetrics = {
    requests: new Counter({
      name: 'ingest_platform_requests_total',
      help: 'Platform API calls by endpoint and outcome (ok, http_4xx, http_429, http_5xx, timeout, network, circuit_open)',
      labelNames: ['platform', 'endpoint', 'outcome'],
      registers,
    }),
    requestSeconds: new Histogram({
      name: 'ingest_platform_request_seconds',
      help: 'Platform API call latency',
      labelNames: ['platform', 'endpoint'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    }),
    breakerState: new Gauge({
      name: 'ingest_circuit_breaker_state',
      help: 'Circuit breaker per platform endpoint: 0 closed, 1 half-open, 2 open',
      labelNames: ['platform', 'endpoint'],
      registers,
    }),
    breakerTransitions: new Counter({
      name: 'ingest_circuit_breaker_transitions_total',
      help: 'Circuit breaker state changes',
      labelNames: ['platform', 'endpoint', 'state'],
      registers,
    }),
    refusedByLimiter: new Counter({
      name: 'ingest_rate_limiter_refusals_total',
      help: 'Calls not sent because the shared limiter knew the platform would refuse them',
      labelNames: ['platform', 'bucket'],
      registers,
    }),
    postsRefreshed: new Counter({
      name: 'ingest_posts_refreshed_total',
      help: 'Posts whose metrics were fetched and published',
      labelNames: ['platform'],
      registers,
    }),
    snapshotsPublished: new Counter({
      name: 'ingest_snapshots_published_total',
      help: 'Events published, by topic',
      labelNames: ['platform', 'topic'],
      registers,
    }),
    itemErrors: new Counter({
      name: 'ingest_item_errors_total',
      help: 'Per-post errors inside otherwise successful answers (deleted, not ready, …)',
      labelNames: ['platform', 'kind'],
      registers,
    }),
    accountStatus: new Counter({
      name: 'ingest_account_status_changes_total',
      help: 'Accounts flagged needs_reauth or rate_limited',
      labelNames: ['platform', 'status'],
      registers,
    }),
  };
  byRegistry.set(registry, m);
  return m;
}
