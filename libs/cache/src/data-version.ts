import type { Redis } from 'ioredis';

/**
 * Each tenant's analytics data has a version in Redis. Writers (the aggregator) bump it after every batch
 * that touched the tenant; readers put it into their cache keys, so new data makes every cached answer of
 * that tenant unreachable at once, without scanning or deleting keys.
 */
export const dataVersionKey = (tenantId: string): string => `tenant:${tenantId}:data_version`;

/** Call after a batch for a tenant is durable in Postgres and ClickHouse. */
export async function bumpTenantDataVersion(redis: Redis, tenantId: string): Promise<number> {
  return redis.incr(dataVersionKey(tenantId));
}

/** One round trip for all tenants of a batch. */
export async function bumpTenantDataVersions(redis: Redis, tenantIds: Iterable<string>): Promise<void> {
  const unique = [...new Set(tenantIds)];
  if (unique.length === 0) return;
  const pipeline = redis.pipeline();
  for (const id of unique) pipeline.incr(dataVersionKey(id));
  const results = (await pipeline.exec()) ?? [];
  for (const [error] of results) if (error) throw error;
}

/** 0 when the tenant never had data written. */
export async function getTenantDataVersion(redis: Redis, tenantId: string): Promise<number> {
  const value = await redis.get(dataVersionKey(tenantId));
  return value === null ? 0 : Number.parseInt(value, 10);
}
