// Platform tokens are encrypted at rest with AES-256-GCM. The key id travels with the ciphertext, so
// keys rotate without downtime: decrypt with any known key, encrypt with the current one.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export class TokenKeyError extends Error {
  override name = 'TokenKeyError';
}

export interface TokenCipher {
  readonly currentKeyId: string;
  /** `v1:<kid>:<iv>:<tag>:<ciphertext>`, base64url parts. `aad` binds the ciphertext to its row. */
  encrypt(plaintext: string, aad?: string): string;
  decrypt(sealed: string, aad?: string): string;
  /** The key id a sealed value was encrypted with (to find rows that still need re-encryption). */
  keyIdOf(sealed: string): string;
}

/**
 * `kid1:base64key,kid2:base64key` → key map. Every key must be 32 bytes; ids are short tokens.
 * Throws a message naming the bad entry, never the key material.
 */
export function parseTokenKeys(spec: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const entry of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const sep = entry.indexOf(':');
    const kid = sep < 0 ? '' : entry.slice(0, sep);
    if (!KEY_ID.test(kid)) throw new TokenKeyError(`TOKEN_KEYS: entry ${keys.size + 1} has no valid key id`);
    const key = Buffer.from(entry.slice(sep + 1), 'base64');
    if (key.length !== 32) throw new TokenKeyError(`TOKEN_KEYS: key ${kid} must be 32 bytes of base64`);
    if (keys.has(kid)) throw new TokenKeyError(`TOKEN_KEYS: key id ${kid} appears twice`);
    keys.set(kid, key);
  }
  if (keys.size === 0) throw new TokenKeyError('TOKEN_KEYS: at least one key is required');
  return keys;
}

export function createTokenCipher(opts: { keys: Map<string, Buffer>; currentKeyId: string }): TokenCipher {
  const { keys, currentKeyId } = opts;
  const current = keys.get(currentKeyId);
  if (!current) throw new TokenKeyError(`TOKEN_KEY_CURRENT: ${currentKeyId} is not in TOKEN_KEYS`);

  const split = (sealed: string) => {
    const parts = sealed.split(':');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new TokenKeyError('not a sealed token');
    const [, kid = '', iv = '', tag = '', data = ''] = parts;
    return { kid, iv: Buffer.from(iv, 'base64url'), tag: Buffer.from(tag, 'base64url'), data };
  };

  return {
    currentKeyId,
    encrypt(plaintext, aad = '') {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        VERSION,
        currentKeyId,
        iv.toString('base64url'),
        tag.toString('base64url'),
        data.toString('base64url'),
      ].join(':');
    },
    decrypt(sealed, aad = '') {
      const { kid, iv, tag, data } = split(sealed);
      const key = keys.get(kid);
      if (!key) throw new TokenKeyError(`token was encrypted with unknown key ${kid}`);
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
        throw new TokenKeyError('malformed sealed token');
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw new TokenKeyError(`token failed authentication with key ${kid}`);
      }
    },
    keyIdOf: (sealed) => split(sealed).kid,
  };
}

/** A fresh random key in the TOKEN_KEYS format, for setup scripts and tests. */
export function generateTokenKey(kid: string): string {
  return `${kid}:${randomBytes(32).toString('base64')}`;
}
