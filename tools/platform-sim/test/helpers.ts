import { createSimApp, type SimApp, type SimOptions, type TruthAccount } from '../src/index.js';

export const NOW = '2026-11-18T12:00:00.000Z';

export function makeSim(options: SimOptions = {}): SimApp {
  return createSimApp({ seed: 7, now: NOW, tenants: 2, postsPerAccount: 60, ...options });
}

export function account(sim: SimApp, platform: TruthAccount['platform'], n = 0): TruthAccount {
  const found = sim.truth().accounts.filter((a) => a.platform === platform)[n];
  if (!found) throw new Error(`no ${platform} account #${n}`);
  return found;
}

export function posts(a: TruthAccount): NonNullable<TruthAccount['posts']> {
  if (!a.posts) throw new Error('truth without posts');
  return a.posts;
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export function linkedinHeaders(token: string, version = '202611'): Record<string, string> {
  return { ...bearer(token), 'LinkedIn-Version': version, 'X-Restli-Protocol-Version': '2.0.0' };
}

export async function get(
  sim: SimApp,
  path: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return sim.app.request(path, { headers });
}

export async function admin(sim: SimApp, path: string, body?: unknown): Promise<Response> {
  return sim.app.request(`/admin${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? '' : JSON.stringify(body),
  });
}
