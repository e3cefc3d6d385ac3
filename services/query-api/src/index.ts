export { createApp } from './app.js';
export { configSchema, type QueryApiConfig } from './config.js';
export type { AppDeps } from './context.js';
export { type RunningQueryApi, startQueryApi } from './start.js';
