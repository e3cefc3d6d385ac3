import type { App } from '../shared.js';

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>PostPulse API reference</title>
  </head>
  <body>
    <noscript>The interactive reference needs JavaScript; the raw document is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</noscript>
    <script id="api-reference" data-url="/api/v1/openapi.json"></script>
    <script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference@1"></script>
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
