import { env } from '@postpulse/config';
import { connectionEnv, loadStackConfig } from '@postpulse/stack';
import { z } from 'zod';

// Defaults point at the local stack, so on a developer machine every command works unconfigured.
const local = connectionEnv(loadStackConfig());

export const cliConfigSchema = z.object({
  DATABASE_URL: z.string().min(1).default(local.DATABASE_URL),
  CLICKHOUSE_URL: env.url(local.CLICKHOUSE_URL),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default(local.CLICKHOUSE_DATABASE ?? 'postpulse'),
  KAFKA_BROKERS: env.list(local.KAFKA_BROKERS ?? ''),
  REDIS_URL: z
    .string()
    .min(1)
    .default(local.REDIS_URL ?? ''),
  LOG_LEVEL: env.logLevel(),
});

export type CliConfig = z.infer<typeof cliConfigSchema>;
