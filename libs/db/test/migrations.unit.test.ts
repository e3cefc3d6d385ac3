import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { migrations } from '../src/migrations/index.js';

it('lists every timestamped migration file, in order', () => {
  const files = readdirSync(new URL('../src/migrations', import.meta.url))
    .filter((f) => f !== 'index.ts')
    .map((f) => f.replace(/\.ts$/, ''));
  expect(files.every((f) => /^\d{8}T\d{4}_[a-z0-9_]+$/.test(f))).toBe(true);
  expect(Object.keys(migrations)).toEqual(files.sort());
});
