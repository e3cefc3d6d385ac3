export * from './aggregator.js';
export * from './config.js';
