// ingest-linkedin: keeps LinkedIn organization posts and followers fresh in Kafka.
import { parseConfig } from '@postpulse/config';
import { linkedinConfigSchema } from './config.js';
import { startLinkedInIngest } from './service.js';

const config = parseConfig(linkedinConfigSchema);
const service = await startLinkedInIngest(config);
service.runtime.handleSignals();
