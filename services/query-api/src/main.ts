import { parseConfig } from '@postpulse/config';
import { configSchema } from './config.js';
import { startQueryApi } from './start.js';

const api = await startQueryApi(parseConfig(configSchema));
api.handleSignals();
