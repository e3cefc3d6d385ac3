import { createDb, migrateToLatest } from '@postpulse/db';
import { Stack } from '@postpulse/stack';
import { sql } from 'kysely';
import { databaseUrl, TEMPLATE_DATABASE } from './isolation.js';

/**
 * Brings the real stack up once per run (a no-op when it already runs) and prepares a migrated
 * Postgres template, so each test file gets its own database in milliseconds.
 */
export default async function setup(): Promise<void> {
  const stack = new Stack(undefined, (line) => process.stderr.write(`[stack] ${line}\n`));
  await stack.up();
  const admin = createDb({
    url: databaseUrl('postgres'),
    applicationName: 'test-setup',
  });
  try {
    await sql`DROP DATABASE IF EXISTS ${sql.id(TEMPLATE_DATABASE)} WITH (FORCE)`.execute(admin);
    await sql`CREATE DATABASE ${sql.id(TEMPLATE_DATABASE)}`.execute(admin);
  } finally {
    await admin.destroy();
  }
  const template = createDb({
    url: databaseUrl(TEMPLATE_DATABASE),
    applicationName: 'test-setup',
  });
  try {
    await migrateToLatest(template);
  } finally {
    await template.destroy();
  }
}
