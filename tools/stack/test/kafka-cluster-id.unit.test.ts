import { describe, expect, it } from 'vitest';
import { kafkaClusterId } from '../src/components.js';

describe('kafka cluster id', () => {
  it('is 16 bytes of base64url that never starts with "-" (the storage tool would read an option)', () => {
    // Without the check, one id in 64 starts with '-': 4,000 draws miss it with a chance of about 1e-27.
    for (let i = 0; i < 4000; i++) {
      const id = kafkaClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });
});
