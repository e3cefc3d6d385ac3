// Variables every ingest service shares; each service's config.ts spreads these into its schema.
import { env } from '@postpulse/config';
import { z } from 'zod';
import { DEFAULT_LADDER_SPEC, parseLadder } from './schedule.js';

const ms = (fallback: number) => env.int(fallback).pipe(z.number().int().min(1));

export function ingestConfigShape(service: string, port: number) {
  return {
    LOG_LEVEL: env.logLevel(),
    PORT: env.port(port),
    DATABASE_URL: z.string().min(1).default('postgres://postgres@127.0.0.1:15432/postpulse'),
    DATABASE_POOL_SIZE: env.int(5).pipe(z.number().int().min(1)),
    REDIS_URL: z.string().min(1).default('redis://127.0.0.1:16379'),
    KAFKA_BROKERS: env.list('127.0.0.1:19092'),
    KAFKA_CLIENT_ID: z.string().min(1).default(service),
    /** Every replica of a service shares this group, so each refresh request is handled once. */
    REFRESH_GROUP_ID: z.string().min(1).default(`postpulse-${service}-refresh`),
    /** `kid:base64(32 bytes)` entries, comma-separated; every key that may have encrypted a token. */
    TOKEN_KEYS: z.string().min(1),
    /** The key new ciphertexts use. */
    TOKEN_KEY_CURRENT: z.string().min(1),
    /** Age ladder `until:every,…` (m/h/d/w): how often posts are refreshed as they age. */
    REFRESH_LADDER: z
      .string()
      .default(DEFAULT_LADDER_SPEC)
      .transform((s, ctx) => {
        try {
          return parseLadder(s);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e) });
          return z.NEVER;
        }
      }),
    LEASE_MS: ms(5 * 60_000),
    FILL_AHEAD_MS: env.int(15 * 60_000).pipe(z.number().int().min(0)),
    DISCOVERY_INTERVAL_MS: ms(15 * 60_000),
    ACCOUNT_REFRESH_INTERVAL_MS: ms(24 * 3_600_000),
    ERROR_BACKOFF_MS: ms(60_000),
    ACCOUNTS_PER_TICK: env.int(8).pipe(z.number().int().min(1).max(200)),
    /** Full batch calls a replica takes per account per tick (whole batches: replicas never split one). */
    BATCHES_PER_ACCOUNT: env.int(4).pipe(z.number().int().min(1).max(100)),
    CONCURRENCY: env.int(4).pipe(z.number().int().min(1).max(64)),
    IDLE_POLL_MS: ms(1000),
    HTTP_TIMEOUT_MS: ms(15_000),
    HTTP_RETRIES: env.int(2).pipe(z.number().int().min(0).max(10)),
    HTTP_BACKOFF_BASE_MS: ms(250),
    BREAKER_RESET_MS: ms(30_000),
    BREAKER_ERROR_PERCENT: env.int(50).pipe(z.number().int().min(1).max(100)),
    BREAKER_VOLUME: env.int(5).pipe(z.number().int().min(1)),
  };
}

type Shape = ReturnType<typeof ingestConfigShape>;
export type IngestConfig = { [K in keyof Shape]: z.infer<Shape[K]> };
