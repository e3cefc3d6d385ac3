// ingest-twitter: keeps X posts and followers of every connected account fresh in Kafka.
import { parseConfig } from '@postpulse/config';
import { twitterConfigSchema } from './config.js';
import { startTwitterIngest } from './service.js';

const config = parseConfig(twitterConfigSchema);
const service = await startTwitterIngest(config);
service.runtime.handleSignals();
