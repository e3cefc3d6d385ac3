import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/**
 * A request header, read from Node's incoming message when there is one. `c.req.header()` makes the
 * node adapter build the request's whole Fetch `Headers` (validating every header) on first use: ≈ 3 % of
 * a cached answer's CPU, for the three headers the middleware reads. In-process requests
 * (`app.request()` in tests) have no incoming message and use the Fetch headers.
 */
export function requestHeader(
  c: Context,
  name: 'authorization' | 'if-none-match' | 'x-request-id',
): string | undefined {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  // Node joins a repeated header itself (or keeps the first Authorization); only set-cookie is a list.
  return Array.isArray(value) ? value.join(', ') : value;
}
