import { parseConfig } from '@postpulse/config';
import { createLogger } from '@postpulse/logging';
import { createServiceRuntime } from '@postpulse/runtime';
import { createAggregator } from './aggregator.js';
import { aggregatorConfigSchema } from './config.js';

const cfg = parseConfig(aggregatorConfigSchema);
const logger = createLogger({ name: 'aggregator', level: cfg.LOG_LEVEL });
const runtime = createServiceRuntime({ name: 'aggregator', logger });
const aggregator = createAggregator(cfg, { logger, registry: runtime.registry });

runtime.addReadinessCheck('consumer', () => aggregator.ready());
runtime.onShutdown({ name: 'stop consumer, close producer and pools', run: () => aggregator.stop() });
runtime.handleSignals();

await runtime.listen(cfg.PORT);
try {
  await aggregator.start();
  logger.info('aggregator consuming');
} catch (error) {
  logger.fatal({ err: error }, 'aggregator failed to start');
  await runtime.shutdown('start failed');
  process.exit(1);
}
