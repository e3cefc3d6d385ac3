#!/usr/bin/env node
// The operator CLI runs the TypeScript sources directly, like every service does.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
