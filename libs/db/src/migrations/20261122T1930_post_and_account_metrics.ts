import { type Kysely, sql } from 'kysely';

const metricColumns = [
  'impressions',
  'reach',
  'clicks',
  'likes_count',
  'comments_count',
  'shares_count',
  'saves_count',
  'reactions_count',
  'retweets_count',
  'quote_tweets_count',
  'video_views',
  'video_watch_time',
] as const;

// Raw rows are the source of truth. Snapshot history is partitioned by month of observed_at so retention
// drops whole partitions; there is deliberately no DEFAULT partition: rows in it would outlive every
// retention run and would block creating the month's partition later. The aggregator creates the
// partitions a batch needs before writing it (see libs/db/src/partitions.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('posts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('platform_post_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz')
    .addColumn('content_type', 'text')
    .addColumn('content_text', 'text')
    .addColumn('hashtags', sql`text[]`)
    .addColumn('platform_post_url', 'text')
    // When the attributes above were last observed, so an older event never overwrites newer text.
    .addColumn('attributes_observed_at', 'timestamptz')
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('posts_natural_key', ['tenant_id', 'platform', 'platform_post_id'])
    // Rewritten by most micro-batches: free space per page lets updates stay HOT (no index writes).
    .modifyEnd(sql`WITH (fillfactor = 80)`)
    .execute();
  await db.schema
    .createIndex('posts_tenant_published_idx')
    .on('posts')
    .columns(['tenant_id', 'published_at'])
    .execute();

  const metrics = sql.raw(metricColumns.map((m) => `${m} bigint`).join(',\n      '));
  await sql`
    CREATE TABLE post_metric_snapshots (
      tenant_id uuid NOT NULL,
      platform text NOT NULL,
      platform_post_id text NOT NULL,
      observed_at timestamptz NOT NULL,
      event_id uuid NOT NULL,
      account_id text NOT NULL,
      ${metrics},
      ingested_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, platform, platform_post_id, observed_at)
    ) PARTITION BY RANGE (observed_at)`.execute(db);

  await sql`
    CREATE TABLE post_metrics_latest (
      tenant_id uuid NOT NULL,
      platform text NOT NULL,
      platform_post_id text NOT NULL,
      observed_at timestamptz NOT NULL,
      event_id uuid NOT NULL,
      account_id text NOT NULL,
      ${metrics},
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, platform, platform_post_id)
    ) WITH (fillfactor = 80)`.execute(db);

  await sql`
    CREATE TABLE account_metric_snapshots (
      tenant_id uuid NOT NULL,
      platform text NOT NULL,
      account_id text NOT NULL,
      observed_at timestamptz NOT NULL,
      event_id uuid NOT NULL,
      followers_count bigint,
      following_count bigint,
      posts_count bigint,
      ingested_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, platform, account_id, observed_at)
    ) PARTITION BY RANGE (observed_at)`.execute(db);

  await sql`
    CREATE TABLE account_metrics_latest (
      tenant_id uuid NOT NULL,
      platform text NOT NULL,
      account_id text NOT NULL,
      observed_at timestamptz NOT NULL,
      event_id uuid NOT NULL,
      followers_count bigint,
      following_count bigint,
      posts_count bigint,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, platform, account_id)
    ) WITH (fillfactor = 80)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'account_metrics_latest',
    'account_metric_snapshots',
    'post_metrics_latest',
    'post_metric_snapshots',
    'posts',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
