export * from './config.js';
export { portInUse } from './processes.js';
export * from './stack.js';
