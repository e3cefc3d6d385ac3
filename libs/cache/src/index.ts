export * from './data-version.js';
export * from './response-cache.js';
export * from './tenant-versions.js';
