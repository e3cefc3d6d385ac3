export * from './content-rollup.js';
export * from './migrate.js';
export * from './partitions.js';
export * from './pool.js';
export * from './post-analytics.js';
export * from './post-id.js';
export * from './precompiled.js';
export * from './rebuild.js';
export type * from './schema.js';
