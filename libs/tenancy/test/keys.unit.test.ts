import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, isValidTimeZone, looksLikeApiKey } from '../src/index.js';

describe('API keys', () => {
  it('are long random secrets with a recognisable prefix, stored as a 32-byte SHA-256', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).not.toBe(b.key);
    expect(a.key).toMatch(/^pp_live_[A-Za-z0-9_-]{43}$/);
    expect(a.key.startsWith(a.prefix)).toBe(true);
    expect(a.hash).toHaveLength(32);
    expect(a.hash.equals(hashApiKey(a.key))).toBe(true);
    expect(looksLikeApiKey(a.key)).toBe(true);
    expect(looksLikeApiKey(`${a.key}x`)).toBe(false);
  });

  it('accepts IANA zones only', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});
