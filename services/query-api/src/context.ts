import type { LocalTier } from '@postpulse/cache';
import type { Database } from '@postpulse/db';
import type { Producer } from '@postpulse/kafka';
import type { Logger } from '@postpulse/logging';
import type { ClickHouseClient } from '@postpulse/olap';
import type { TokenCipher } from '@postpulse/secrets';
import type { AuthenticatedKey } from '@postpulse/tenancy';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';

/** What the app is built from; main.ts and the tests build it once against real servers. */
export interface AppDeps {
  db: Kysely<Database>;
  /** The same database, for statements run with reused generic plans (`createDb`'s `genericPlans`). */
  genericPlanDb: Kysely<Database>;
  olap: ClickHouseClient;
  redis: Redis;
  /** Only `send` is used: publishing refresh requests. */
  producer: Pick<Producer, 'send'>;
  /** Where refresh requests go; tests use a topic of their own. Default: postpulse.refresh-requests.v1. */
  refreshTopic?: string | undefined;
  logger: Logger;
  /** Encrypts platform tokens of connected accounts; without it, connecting accounts answers 503. */
  tokenCipher?: TokenCipher | undefined;
  rateLimitPerMinute: number;
  /** How long a resolved API key is trusted without asking Postgres again (so: revocation delay). */
  authCacheTtlMs?: number | undefined;
  cacheTtlSeconds: number;
  /** Keeps cached answers in this process too (`createResponseCache`'s local tier). */
  localCache?: LocalTier | undefined;
  /** The clock; tests pin it. */
  now?: () => Date;
}

/** Hono variables set by the middleware chain. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    auth: AuthenticatedKey;
  };
}

/** What domain functions get: the tenant, the stores and a logger. Nothing about HTTP. */
export interface DomainContext {
  tenantId: string;
  /** The tenant's zone; a request may override it with `tz`. */
  timezone: string;
  requestId: string;
  logger: Logger;
  db: Kysely<Database>;
  genericPlanDb: Kysely<Database>;
  olap: ClickHouseClient;
  now: Date;
}
