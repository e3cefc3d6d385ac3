import type { App } from '../shared.js';

// Scalar renders the reference from its CDN; where the browser cannot reach it (air-gapped clusters, the
// offline demo) the fallback lists every operation from the same document and can send GET requests.
const fallback = `
function renderFallback() {
  const root = document.getElementById('fallback');
  root.hidden = false;
  const key = document.getElementById('key');
  fetch('/api/v1/openapi.json').then((r) => r.json()).then((doc) => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const section = document.createElement('details');
        const title = document.createElement('summary');
        title.textContent = method.toUpperCase() + ' ' + path + (op.summary ? ' — ' + op.summary : '');
        const text = document.createElement('p');
        text.textContent = op.description || '';
        section.append(title, text);
        for (const param of op.parameters || []) {
          const line = document.createElement('div');
          line.textContent = param.in + ' ' + param.name + (param.required ? ' (required)' : '') + ': ' + (param.description || '');
          section.append(line);
        }
        if (method === 'get') {
          const url = document.createElement('input');
          url.size = 80;
          url.value = path;
          const send = document.createElement('button');
          send.textContent = 'Send';
          const out = document.createElement('pre');
          send.onclick = () => {
            fetch(url.value, { headers: { authorization: 'Bearer ' + key.value } })
              .then(async (r) => { out.textContent = r.status + '\\n' + JSON.stringify(await r.json(), null, 2); })
              .catch((e) => { out.textContent = String(e); });
          };
          section.append(url, send, out);
        }
        root.append(section);
      }
    }
  });
}`;

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>PostPulse API reference</title>
    <style>#fallback { font-family: system-ui, sans-serif; margin: 2rem; } details { margin: .5rem 0; } pre { background: #f4f4f4; padding: .5rem; max-height: 30rem; overflow: auto; }</style>
  </head>
  <body>
    <noscript>The interactive reference needs JavaScript; the raw document is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</noscript>
    <div id="fallback" hidden>
      <h1>PostPulse API reference</h1>
      <p>The full reference could not be loaded; this is every operation of <a href="/api/v1/openapi.json">openapi.json</a>.</p>
      <label>API key <input id="key" size="60" placeholder="pp_live_…" /></label>
    </div>
    <script>${fallback}</script>
    <script id="api-reference" data-url="/api/v1/openapi.json"></script>
    <script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference@1" onerror="renderFallback()"></script>
  </body>
</html>`;

/** The OpenAPI 3.1 document (generated from the route schemas) and an interactive page that renders it. */
export function registerDocs(app: App): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from `postpulse tenants create` or `postpulse api-keys create`.',
  });
  app.doc31('/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'PostPulse query API',
      version: '1.0.0',
      description:
        'Analytics of social posts per tenant. Authenticate with `Authorization: Bearer <api key>`; the key decides ' +
        'the tenant. Errors are `{"error": {"code", "message", "request_id"}}`. Per-tenant rate limit with ' +
        '`RateLimit-*` headers and `Retry-After` on 429. GET answers carry an `ETag`; send `If-None-Match` for 304.',
    },
    servers: [{ url: '/' }],
  });
  app.get('/api/v1/docs', (c) => c.html(page));
}
