import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, env, parseConfig } from '../src/index.js';

const schema = z.object({
  PORT: env.port(8080),
  BROKERS: env.list('127.0.0.1:9092'),
  DEBUG: env.bool(false),
  DATABASE_URL: z.string().min(1),
});

describe('parseConfig', () => {
  it('coerces values and applies defaults, treating empty strings as unset', () => {
    const cfg = parseConfig(schema, {
      PORT: '',
      BROKERS: 'a:1, b:2',
      DEBUG: '1',
      DATABASE_URL: 'postgres://x',
    });
    expect(cfg).toEqual({ PORT: 8080, BROKERS: ['a:1', 'b:2'], DEBUG: true, DATABASE_URL: 'postgres://x' });
  });

  it('names every offending variable in one error', () => {
    expect(() => parseConfig(schema, { PORT: 'eighty' })).toThrowError(ConfigError);
    try {
      parseConfig(schema, { PORT: 'eighty' });
    } catch (error) {
      expect(String(error)).toMatch(/PORT:/);
      expect(String(error)).toMatch(/DATABASE_URL:/);
    }
  });
});
