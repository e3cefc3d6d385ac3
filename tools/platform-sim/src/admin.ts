// Admin API: the planted truth, the clock, tokens, faults and the violation report.
import { Hono } from 'hono';
import { z } from 'zod';
import { xTime } from './formats.js';
import type { SimContext } from './platforms/context.js';
import { buildTruth, truthMetrics, truthPost } from './truth.js';
import { PLATFORMS, type Platform } from './world/model.js';

const clockSchema = z.union([
  z.object({ now: z.string().refine((s) => Number.isFinite(Date.parse(s)), 'not an ISO time') }).strict(),
  z.object({ advance_ms: z.number().int() }).strict(),
]);

const revokeSchema = z
  .object({ reason: z.enum(['revoked', 'password_changed', 'app_removed']).default('revoked') })
  .strict();

function badRequest(message: string) {
  return { error: { code: 'bad_request', message } };
}

export function createAdminApp(sim: SimContext): Hono {
  const app = new Hono();

  app.get('/health', (c) => c.json({ ok: true, now: xTime(sim.clock.now()) }));

  app.get('/truth', (c) => c.json(buildTruth(sim.world, { posts: c.req.query('posts') !== 'false' })));

  app.get('/truth/posts/:platform/:id/metrics', (c) => {
    const platform = c.req.param('platform');
    if (!PLATFORMS.includes(platform as Platform))
      return c.json(badRequest(`unknown platform ${platform}`), 400);
    const post = sim.world.post(platform as Platform, decodeURIComponent(c.req.param('id')));
    if (!post) return c.json({ error: { code: 'not_found', message: 'no such post' } }, 404);
    const atRaw = c.req.query('at');
    const at = atRaw === undefined ? sim.clock.now() : Date.parse(atRaw);
    if (!Number.isFinite(at)) return c.json(badRequest('at must be an ISO time'), 400);
    return c.json({ ...truthMetrics(sim.world, post, at), post: truthPost(post) });
  });

  app.get('/clock', (c) => c.json({ now: xTime(sim.clock.now()) }));
  app.post('/clock', async (c) => {
    const parsed = clockSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json(badRequest('send {"now": ISO} or {"advance_ms": N}'), 400);
    if ('now' in parsed.data) sim.clock.set(Date.parse(parsed.data.now));
    else sim.clock.advance(parsed.data.advance_ms);
    return c.json({ now: xTime(sim.clock.now()) });
  });

  app.post('/tokens/:token/expire', (c) => {
    const ok = sim.tokens.expire(c.req.param('token'), sim.clock.now());
    return ok
      ? c.json({ token: c.req.param('token'), state: 'expired' })
      : c.json(badRequest('unknown token'), 404);
  });
  app.post('/tokens/:token/revoke', async (c) => {
    const text = await c.req.text();
    const parsed = revokeSchema.safeParse(text ? JSON.parse(text) : {});
    if (!parsed.success)
      return c.json(badRequest('reason must be revoked | password_changed | app_removed'), 400);
    const ok = sim.tokens.revoke(c.req.param('token'), parsed.data.reason);
    return ok
      ? c.json({ token: c.req.param('token'), state: 'revoked', reason: parsed.data.reason })
      : c.json(badRequest('unknown token'), 404);
  });
  app.post('/tokens/:token/restore', (c) => {
    const ok = sim.tokens.restore(c.req.param('token'));
    return ok
      ? c.json({ token: c.req.param('token'), state: 'valid' })
      : c.json(badRequest('unknown token'), 404);
  });

  app.get('/faults', (c) => c.json(sim.faults.current));
  app.post('/faults', async (c) => {
    const body = await c.req.json().catch(() => undefined);
    try {
      return c.json(sim.faults.apply(body));
    } catch (e) {
      return c.json(badRequest(e instanceof z.ZodError ? z.prettifyError(e) : String(e)), 400);
    }
  });
  app.delete('/faults', (c) => c.json(sim.faults.reset()));

  app.get('/violations', (c) => c.json(sim.violations.report()));
  app.post('/violations/reset', (c) => {
    sim.violations.reset();
    return c.json(sim.violations.report());
  });

  app.get('/stats', (c) =>
    c.json({ requests: sim.requests, posts: sim.world.totalPosts(), accounts: sim.world.accounts.length }),
  );

  return app;
}
