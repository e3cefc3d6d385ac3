export * from './client.js';
export * from './migrate.js';
export * from './reads.js';
export * from './retention.js';
export * from './sql.js';
