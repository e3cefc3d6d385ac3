import { type Kysely, sql } from 'kysely';

// Ingest state (issue #5): connected platform accounts with encrypted tokens, the per-post refresh
// schedule the ingest replicas lease work from, and Meta metrics found to be retired.
// Times are written by the services from their clock (not now()) so tests can compress time.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('platform_accounts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('platform', 'text', (c) =>
      c.notNull().check(sql`platform IN ('linkedin','twitter','facebook','instagram')`),
    )
    .addColumn('account_id', 'text', (c) => c.notNull().check(sql`length(account_id) BETWEEN 1 AND 512`))
    .addColumn('display_name', 'text')
    // AES-256-GCM ciphertexts `v1:<kid>:<iv>:<tag>:<data>`; the plaintext is never stored.
    .addColumn('access_token_enc', 'text', (c) => c.notNull())
    .addColumn('refresh_token_enc', 'text')
    .addColumn('token_key_id', 'text', (c) => c.notNull())
    .addColumn('token_expires_at', 'timestamptz')
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('active').check(sql`status IN ('active','needs_reauth','disconnected')`),
    )
    .addColumn('status_reason', 'text')
    .addColumn('rate_limited_until', 'timestamptz')
    .addColumn('connected_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    // Discovery: the backfill reaches back to backfill_from; newest_post_at is the high-water mark.
    .addColumn('backfill_from', 'timestamptz', (c) => c.notNull())
    .addColumn('backfill_done_at', 'timestamptz')
    .addColumn('newest_post_at', 'timestamptz')
    .addColumn('next_discovery_at', 'timestamptz', (c) => c.notNull())
    .addColumn('next_account_refresh_at', 'timestamptz', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'timestamptz')
    .addUniqueConstraint('platform_accounts_identity', ['tenant_id', 'platform', 'account_id'])
    .execute();
  await db.schema
    .createIndex('platform_accounts_discovery_idx')
    .on('platform_accounts')
    .columns(['platform', 'next_discovery_at'])
    .execute();

  await db.schema
    .createTable('ingest_posts')
    .addColumn('account_pk', 'uuid', (c) =>
      c.notNull().references('platform_accounts.id').onDelete('cascade'),
    )
    .addColumn('platform_post_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().defaultTo('active').check(sql`state IN ('active','deleted','done')`),
    )
    // Null once the age ladder ends (or the post is gone): nothing more to fetch.
    .addColumn('next_refresh_at', 'timestamptz')
    .addColumn('last_refreshed_at', 'timestamptz')
    .addColumn('refresh_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'timestamptz')
    .addColumn('discovered_at', 'timestamptz', (c) => c.notNull())
    // What discovery learnt about the post (published_at, type, text…), attached to its snapshots.
    .addColumn('attributes', 'jsonb')
    .addPrimaryKeyConstraint('ingest_posts_pk', ['account_pk', 'platform_post_id'])
    .execute();
  await sql`CREATE INDEX ingest_posts_due_idx ON ingest_posts (platform, next_refresh_at) WHERE next_refresh_at IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX ingest_posts_account_due_idx ON ingest_posts (account_pk, next_refresh_at) WHERE next_refresh_at IS NOT NULL`.execute(
    db,
  );

  await db.schema
    .createTable('platform_retired_metrics')
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'timestamptz', (c) => c.notNull())
    .addColumn('message', 'text')
    .addPrimaryKeyConstraint('platform_retired_metrics_pk', ['platform', 'metric'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('platform_retired_metrics').execute();
  await db.schema.dropTable('ingest_posts').execute();
  await db.schema.dropTable('platform_accounts').execute();
}
