export * from './config.js';
export * from './stack.js';
