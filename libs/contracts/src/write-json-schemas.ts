// Regenerates libs/contracts/schema/*.json; a unit test fails when they are stale.
import { writeFileSync } from 'node:fs';
import { jsonSchemaFiles, renderJsonSchema } from './json-schema.js';

for (const [file, schema] of Object.entries(jsonSchemaFiles)) {
  const path = new URL(`../schema/${file}`, import.meta.url);
  writeFileSync(path, renderJsonSchema(schema));
  console.log(`wrote ${path.pathname}`);
}
