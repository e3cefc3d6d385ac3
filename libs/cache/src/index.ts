export * from './data-version.js';
export * from './response-cache.js';
