import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { SimOptions } from './config.js';
import { createSimApp, type SimApp } from './sim.js';

export interface StartSimOptions extends SimOptions {
  /** 0 picks a free port. Default 4010. */
  port?: number;
  host?: string;
}

export interface SimUrls {
  /** Base for X API v2: append `/2/tweets`. */
  x: string;
  /** Base for LinkedIn: append `/rest/posts`. */
  linkedin: string;
  /** Base for Meta Graph: append `/v25.0/{id}/insights`. */
  meta: string;
  admin: string;
}

export interface RunningSim {
  urls: SimUrls;
  port: number;
  sim: SimApp;
  close(): Promise<void>;
}

export async function startSim(options: StartSimOptions = {}): Promise<RunningSim> {
  const sim = createSimApp(options);
  const host = options.host ?? '127.0.0.1';
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve, reject) => {
      const s = serve(
        { fetch: sim.app.fetch, port: options.port ?? 4010, hostname: host },
        (info: AddressInfo) => resolve({ server: s, port: info.port }),
      );
      s.once('error', reject);
    },
  );
  const base = `http://${host}:${port}`;
  return {
    urls: { x: `${base}/x`, linkedin: `${base}/linkedin`, meta: `${base}/meta`, admin: `${base}/admin` },
    port,
    sim,
    close: () =>
      new Promise<void>((resolve, reject) => {
        sim.releaseHangs();
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
