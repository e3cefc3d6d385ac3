import { env } from '@postpulse/config';
import { z } from 'zod';

export const configSchema = z.object({
  PORT: env.port(8080),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  DATABASE_URL: z.string().min(1),
  // Per pool (there are two). Few: statements in flight beyond the database's cores only share them, and
  // waiting in the pool's queue is fairer. On the benchmark's 2 cores, 8 instead of 20 kept the overview's
  // p99 under 200 ms instead of over 300, at the same throughput (bench/RESULTS.md).
  DATABASE_MAX_CONNECTIONS: env.int(8).pipe(z.number().int().min(1).max(200)),
  CLICKHOUSE_URL: z.url(),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default('postpulse'),
  REDIS_URL: z.string().min(1),
  KAFKA_BROKERS: env.list('').pipe(z.array(z.string()).min(1, 'at least one broker')),
  /** Requests per minute per tenant unless the tenant row overrides it. */
  RATE_LIMIT_PER_MINUTE: env.int(600).pipe(z.number().int().min(1)),
  /** How long a resolved API key is trusted in-process; a revoked key stops working within this time. */
  AUTH_CACHE_TTL_MS: env.int(10_000).pipe(z.number().int().min(0).max(300_000)),
  /** Upper bound on how long a cached answer lives; new data invalidates it sooner. */
  CACHE_TTL_SECONDS: env.int(300).pipe(z.number().int().min(0)),
  /**
   * Memory for cached answers kept in this process as well as in Redis (0 = Redis only). They are served
   * without a round trip while Redis tells the process of every new data version (client-side caching).
   */
  CACHE_LOCAL_MAX_MB: env.int(64).pipe(z.number().int().min(0)),
  /** Keys that encrypt connected accounts' tokens (`kid:base64,…`); without them POST /accounts answers 503. */
  TOKEN_KEYS: z.string().optional(),
  TOKEN_KEY_CURRENT: z.string().optional(),
});

export type QueryApiConfig = z.infer<typeof configSchema>;
