import { randomUUID } from 'node:crypto';
import type { Logger } from '@postpulse/logging';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';
import { requestHeader } from './request-header.js';

const INCOMING = /^[A-Za-z0-9._-]{8,128}$/;

/** Takes a well-formed X-Request-Id from the caller or makes one; echoes it on every response. */
export function requestId(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = requestHeader(c, 'x-request-id');
    const id = incoming && INCOMING.test(incoming) ? incoming : randomUUID();
    c.set('requestId', id);
    c.set('logger', logger.child({ request_id: id }));
    c.header('X-Request-Id', id);
    await next();
  };
}
