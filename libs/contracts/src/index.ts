export * from './events.js';
export * from './json-schema.js';
export * from './topics.js';
export * from './event-id.js';
