import { describe, expect, it } from 'vitest';
import { createTokenCipher, generateTokenKey, parseTokenKeys, TokenKeyError } from '../src/index.js';

describe('token cipher', () => {
  const spec = `${generateTokenKey('k1')},${generateTokenKey('k2')}`;

  it('round-trips and never contains the plaintext', () => {
    const cipher = createTokenCipher({ keys: parseTokenKeys(spec), currentKeyId: 'k1' });
    const sealed = cipher.encrypt('secret-token-value', 'row-1');
    expect(sealed).not.toContain('secret-token-value');
    expect(sealed.startsWith('v1:k1:')).toBe(true);
    expect(cipher.decrypt(sealed, 'row-1')).toBe('secret-token-value');
    expect(cipher.encrypt('secret-token-value', 'row-1')).not.toBe(sealed);
  });

  it('rotates: old ciphertexts decrypt, new ones use the current key', () => {
    const old = createTokenCipher({ keys: parseTokenKeys(spec), currentKeyId: 'k1' });
    const sealed = old.encrypt('t');
    const rotated = createTokenCipher({ keys: parseTokenKeys(spec), currentKeyId: 'k2' });
    expect(rotated.decrypt(sealed)).toBe('t');
    expect(rotated.keyIdOf(rotated.encrypt('t'))).toBe('k2');
  });

  it('refuses tampering, another row and unknown keys', () => {
    const cipher = createTokenCipher({ keys: parseTokenKeys(spec), currentKeyId: 'k1' });
    const sealed = cipher.encrypt('t', 'row-1');
    expect(() => cipher.decrypt(sealed, 'row-2')).toThrow(TokenKeyError);
    const parts = sealed.split(':');
    parts[4] = Buffer.from('x').toString('base64url');
    expect(() => cipher.decrypt(parts.join(':'), 'row-1')).toThrow(TokenKeyError);
    const other = createTokenCipher({ keys: parseTokenKeys(generateTokenKey('k3')), currentKeyId: 'k3' });
    expect(() => other.decrypt(sealed, 'row-1')).toThrow(/unknown key k1/);
  });

  it('validates key specs without echoing key material', () => {
    expect(() => parseTokenKeys('')).toThrow(TokenKeyError);
    expect(() => parseTokenKeys('k1:c2hvcnQ=')).toThrow(/k1 must be 32 bytes/);
    expect(() => parseTokenKeys(`${generateTokenKey('k1')},${generateTokenKey('k1')}`)).toThrow(/twice/);
    expect(() => createTokenCipher({ keys: parseTokenKeys(spec), currentKeyId: 'nope' })).toThrow(
      /TOKEN_KEY_CURRENT/,
    );
  });
});
