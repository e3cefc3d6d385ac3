import type { Database } from '@postpulse/db';
import { type ApiKeyScope, type AuthenticatedKey, authenticateApiKey, touchApiKey } from '@postpulse/tenancy';
import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import type { AppEnv } from '../context.js';
import { ApiError } from '../errors.js';
import { requestHeader } from './request-header.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Resolves the tenant from `Authorization: Bearer <key>`; 401 for a missing, unknown or revoked key.
 * A resolved key is remembered in this process for `cacheTtlMs` (wall clock), so the hot path needs no
 * database round trip; a revocation therefore takes effect within that time. Unknown keys are not cached.
 */
export function authenticate(
  db: Kysely<Database>,
  now: () => Date,
  cacheTtlMs: number,
): MiddlewareHandler<AppEnv> {
  const resolved = new Map<string, { auth: AuthenticatedKey; until: number }>();
  // last_used_at is minute-grained: remember when this process last recorded each key, so the hot path
  // stays a single indexed read instead of a write per request.
  const touched = new Map<string, number>();
  return async (c, next) => {
    const header = requestHeader(c, 'authorization');
    const match = header ? BEARER.exec(header) : null;
    const presented = match?.[1];
    if (!presented) {
      throw new ApiError('unauthorized', 'missing API key: send Authorization: Bearer <key>', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    const cached = resolved.get(presented);
    let auth = cached && cached.until > Date.now() ? cached.auth : undefined;
    if (!auth) {
      auth = await authenticateApiKey(db, presented);
      if (auth && cacheTtlMs > 0) {
        if (resolved.size >= 10_000) resolved.clear();
        resolved.set(presented, { auth, until: Date.now() + cacheTtlMs });
      }
    }
    if (!auth) {
      throw new ApiError('unauthorized', 'invalid or revoked API key', {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    }
    c.set('auth', auth);
    const at = now();
    if ((touched.get(auth.key_id) ?? 0) < at.getTime() - 60_000) {
      touched.set(auth.key_id, at.getTime());
      if (touched.size > 10_000) touched.clear();
      // Best effort and off the request path: a failed touch must not fail the request.
      touchApiKey(db, auth.key_id, at).catch((error: unknown) =>
        c.get('logger').warn({ err: error }, 'could not record API key use'),
      );
    }
    await next();
  };
}

/** 403 unless the key carries the scope. Used per route, after authentication. */
export function requireScope(scope: ApiKeyScope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.get('auth').scopes.includes(scope)) {
      throw new ApiError('forbidden', `this API key lacks the "${scope}" scope`);
    }
    await next();
  };
}
