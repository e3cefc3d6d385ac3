export * from './isolation.js';
export * from './ports.js';
export * from './wait.js';
