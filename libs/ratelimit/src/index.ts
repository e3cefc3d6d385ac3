export * from './clock.js';
export * from './limiter.js';
