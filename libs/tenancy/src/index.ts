export * from './keys.js';
export * from './tenants.js';
export * from './timezone.js';
