import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { env, parseConfig } from '@postpulse/config';
import { z } from 'zod';

/** The repository root: the stack lives in `<root>/.stack` unless STACK_DIR says otherwise. */
export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

// Ports default away from the servers' usual ones so a system Postgres or Redis never clashes.
export const stackConfigSchema = z.object({
  STACK_DIR: z.string().default(resolve(repoRoot, '.stack')),
  STACK_HOST: z.literal('127.0.0.1').default('127.0.0.1'),
  STACK_KAFKA_PORT: env.port(19092),
  STACK_KAFKA_CONTROLLER_PORT: env.port(19093),
  STACK_POSTGRES_PORT: env.port(15432),
  STACK_CLICKHOUSE_HTTP_PORT: env.port(18123),
  STACK_CLICKHOUSE_TCP_PORT: env.port(19000),
  STACK_REDIS_PORT: env.port(16379),
  STACK_KAFKA_HEAP: z
    .string()
    .regex(/^\d+[mg]$/)
    .default('768m'),
  STACK_READY_TIMEOUT_MS: env.int(120_000),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;

export function loadStackConfig(source: Record<string, string | undefined> = process.env): StackConfig {
  return parseConfig(stackConfigSchema, source);
}

export const KAFKA_VERSION = '3.9.1';

export interface StackPaths {
  root: string;
  dist: string;
  kafkaLibs: string;
  data: (component: string) => string;
  run: string;
  logs: string;
  pidFile: (component: string) => string;
  logFile: (component: string) => string;
}

export function stackPaths(cfg: StackConfig): StackPaths {
  const root = cfg.STACK_DIR;
  return {
    root,
    dist: resolve(root, 'dist'),
    kafkaLibs: resolve(root, 'dist', `kafka-${KAFKA_VERSION}`, 'libs'),
    data: (component) => resolve(root, 'data', component),
    run: resolve(root, 'run'),
    logs: resolve(root, 'logs'),
    pidFile: (component) => resolve(root, 'run', `${component}.pid`),
    logFile: (component) => resolve(root, 'logs', `${component}.log`),
  };
}

export interface StackConnection {
  KAFKA_BROKERS: string;
  DATABASE_URL: string;
  CLICKHOUSE_URL: string;
  CLICKHOUSE_DATABASE: string;
  REDIS_URL: string;
}

/** How clients reach the stack; the same variable names the services read. */
export function connectionEnv(cfg: StackConfig): StackConnection {
  const h = cfg.STACK_HOST;
  return {
    KAFKA_BROKERS: `${h}:${cfg.STACK_KAFKA_PORT}`,
    DATABASE_URL: `postgres://postgres@${h}:${cfg.STACK_POSTGRES_PORT}/postpulse`,
    CLICKHOUSE_URL: `http://${h}:${cfg.STACK_CLICKHOUSE_HTTP_PORT}`,
    CLICKHOUSE_DATABASE: 'postpulse',
    REDIS_URL: `redis://${h}:${cfg.STACK_REDIS_PORT}`,
  };
}
