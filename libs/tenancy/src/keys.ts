import { createHash, randomBytes } from 'node:crypto';

export const apiKeyScopes = ['read', 'write'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

/** `pp_live_` + 32 random bytes in base64url: 256 bits of secret, recognisable in logs and scanners. */
const KEY_PREFIX = 'pp_live_';
const KEY_PATTERN = /^pp_live_[A-Za-z0-9_-]{43}$/;

export interface GeneratedApiKey {
  /** Shown once to the caller, never stored. */
  key: string;
  /** The first characters, stored so a key can be recognised in listings. */
  prefix: string;
  /** SHA-256 of the whole key: what is stored and looked up. */
  hash: Buffer;
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export function generateApiKey(): GeneratedApiKey {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, KEY_PREFIX.length + 6), hash: hashApiKey(key) };
}

/** A cheap shape check before any lookup, so garbage never reaches the database. */
export function looksLikeApiKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}
