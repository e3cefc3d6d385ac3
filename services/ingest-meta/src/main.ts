// ingest-meta: keeps Facebook Page and Instagram business posts and followers fresh in Kafka.
import { parseConfig } from '@postpulse/config';
import { metaConfigSchema } from './config.js';
import { startMetaIngest } from './service.js';

const config = parseConfig(metaConfigSchema);
const service = await startMetaIngest(config);
service.runtime.handleSignals();
