export * from './event-id.js';
export * from './events.js';
export * from './json-schema.js';
export * from './topics.js';
