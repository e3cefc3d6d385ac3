import { type AccountMetricsSnapshot, type PostMetricsSnapshot, postMetricNames } from '@postpulse/contracts';
import {
  addGains,
  allPlatforms,
  contentRollupRowsOf,
  contentRollupWrites,
  type Database,
  ensureMonthlyPartitions,
  gainedMetrics,
  latestPostColumns,
  type MonthlyPartitionedTable,
  monthKey,
  patchDayHours,
  postId,
  raiseFreshness,
  rollupContribution,
  rollupWrites,
  upsertFollowerHours,
  utcHour,
} from '@postpulse/db';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { observedMs, pickPerKey, subjectKey } from './keys.js';

const accountMetricNames = ['followers_count', 'following_count', 'posts_count'] as const;

/** What ClickHouse rows need of a post, read back from Postgres after the batch's upsert. */
export interface PostDimensions {
  post_id: string;
  account_id: string;
  published_at: Date | null;
  content_type: string | null;
  hashtags: string[];
  text_length: number | null;
}

export const postKey = (e: { tenant_id: string; platform: string; platform_post_id: string }) =>
  subjectKey(e.tenant_id, e.platform, e.platform_post_id);
const accountKey = (e: { tenant_id: string; platform: string; account_id: string }) =>
  subjectKey(e.tenant_id, e.platform, e.account_id);
const never = () => false;

const newerObservation = sql`excluded.observed_at > l.observed_at`;
const newerAttributes = sql`(p.attributes_observed_at IS NULL OR excluded.attributes_observed_at > p.attributes_observed_at)`;

/** Characters as Postgres's length() counts them (code points, not UTF-16 units). */
function characters(text: string): number {
  return /[\uD800-\uDFFF]/.test(text) ? [...text].length : text.length;
}

/**
 * What content analysis groups a post's hashtags by: each once, lower-cased. Stored with the post rather
 * than derived per request or by a generated column (an SQL function per rewritten row cost the write
 * statement 40 ms per 1,000 events).
 */
function hashtagKeys(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.toLowerCase()))];
}

/**
 * A text[] literal, so each row's array travels as one element of a text[] parameter (unnest cannot
 * take a ragged 2-D array). Inside double quotes only `"` and `\` need escaping.
 */
const arrayLiteral = (items: readonly string[]) =>
  `{${items.map((i) => `"${i.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;

/** A column of values as one array parameter with its cast, for `unnest(...)`. */
const column = <T>(rows: readonly T[], type: string, pick: (row: T) => unknown): RawBuilder<unknown> =>
  sql`${rows.map(pick)}::${sql.raw(type)}[]`;

/**
 * Remembers which monthly partitions exist, so the DDL runs once per month and process. When retention
 * drops a partition under us the insert fails with 23514 and `forget` makes the retry create it again.
 */
export class PartitionCache {
  private readonly known = new Map<MonthlyPartitionedTable, Set<number>>();

  async ensure(
    db: Kysely<Database>,
    table: MonthlyPartitionedTable,
    instants: Iterable<number>,
  ): Promise<void> {
    const known = this.known.get(table) ?? new Set<number>();
    this.known.set(table, known);
    const missing = new Set<number>();
    for (const ms of instants) {
      const key = monthKey(new Date(ms));
      if (!known.has(key)) missing.add(key);
    }
    if (missing.size === 0) return;
    await ensureMonthlyPartitions(db, table, missing);
    for (const key of missing) known.add(key);
  }

  forget(): void {
    this.known.clear();
  }
}

/** Postgres `no partition of relation found for row`. */
const isMissingPartition = (error: unknown) => (error as { code?: string }).code === '23514';

/** Per post, the newest non-null value of each attribute in the batch. */
function mergePostAttributes(events: readonly PostMetricsSnapshot[]) {
  const merged = new Map<
    string,
    {
      event: PostMetricsSnapshot;
      published_at: string | null;
      content_type: string | null;
      content_text: string | null;
      hashtags: string[] | null;
      platform_post_url: string | null;
      attributes_observed_at: string | null;
    }
  >();
  const ascending = [...events].sort((a, b) => observedMs(a) - observedMs(b));
  for (const e of ascending) {
    const k = postKey(e);
    const m = merged.get(k) ?? {
      event: e,
      published_at: null,
      content_type: null,
      content_text: null,
      hashtags: null,
      platform_post_url: null,
      attributes_observed_at: null,
    };
    m.event = e;
    if (e.post) {
      m.published_at = e.post.published_at;
      m.content_type = e.post.content_type;
      m.content_text = e.post.content_text ?? m.content_text;
      m.hashtags = e.post.hashtags;
      m.platform_post_url = e.post.platform_post_url ?? m.platform_post_url;
      m.attributes_observed_at = e.observed_at;
    }
    merged.set(k, m);
  }
  return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

export class PostgresStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly partitions = new PartitionCache(),
  ) {}

  /**
   * Writes a micro-batch of post snapshots as ONE statement (data-modifying CTEs, one round trip) touching
   * each table once, then copies the hours of the hourly rollup it wrote into their day-hours rows
   * (`patchDayHours`), all in one transaction, and returns the dimensions of every post in it: from the
   * batch itself when it carries them, read back from `posts` when it does not (an event with
   * `post: null`). Every part is idempotent, so a redelivered batch changes nothing.
   */
  async writePostSnapshots(events: readonly PostMetricsSnapshot[]): Promise<Map<string, PostDimensions>> {
    if (events.length === 0) return new Map();
    await this.partitions.ensure(this.db, 'post_metric_snapshots', events.map(observedMs));
    try {
      return await this.writePosts(events);
    } catch (error) {
      if (isMissingPartition(error)) this.partitions.forget();
      throw error;
    }
  }

  async writeAccountSnapshots(events: readonly AccountMetricsSnapshot[]): Promise<void> {
    if (events.length === 0) return;
    await this.partitions.ensure(this.db, 'account_metric_snapshots', events.map(observedMs));
    try {
      await this.writeAccounts(events);
    } catch (error) {
      if (isMissingPartition(error)) this.partitions.forget();
      throw error;
    }
  }

  private async writePosts(events: readonly PostMetricsSnapshot[]): Promise<Map<string, PostDimensions>> {
    const posts = mergePostAttributes(events);
    const dimensions = new Map<string, PostDimensions>();
    const unknown: typeof posts = [];
    for (const p of posts) {
      // A batch that carries published_at and the text knows everything ClickHouse needs.
      if (p.published_at !== null && p.content_type !== null && p.content_text !== null) {
        dimensions.set(postKey(p.event), {
          post_id: postId(p.event),
          account_id: p.event.account_id,
          published_at: new Date(p.published_at),
          content_type: p.content_type,
          hashtags: p.hashtags ?? [],
          text_length: characters(p.content_text),
        });
      } else {
        unknown.push(p);
      }
    }
    const history = pickPerKey(events, (e) => `${postKey(e)}\u0000${observedMs(e)}`, never);
    const metricIds = sql.join(postMetricNames.map((m) => sql.id(m)));
    const latestPostIds = sql.join(latestPostColumns.map((c) => sql.id(c)));
    const gainedIds = sql.join(gainedMetrics.map((m) => sql.id(m)));
    const keys = posts.map((p) => p.event);
    const rows = await this.db.transaction().execute(async (trx) => {
      // One writer per post at a time, in one order (so replicas never deadlock): the statement below reads
      // each post's latest row before replacing it, to move the post's share of the hourly rollup, and a
      // second writer of the same post must not read that row before the first one committed. Kafka gives
      // each post to one consumer; this holds even when a consumer that lost its partition still writes.
      // aggregator: lock the batch's posts
      await sql`SELECT pg_advisory_xact_lock(h) FROM (
          SELECT hashtextextended(t || ':' || p || ':' || i, 0) AS h
          FROM unnest(${keys.map((k) => k.tenant_id)}::text[], ${keys.map((k) => k.platform)}::text[],
            ${keys.map((k) => k.platform_post_id)}::text[]) AS k(t, p, i)
          ORDER BY h
        ) ordered`.execute(trx);
      const written = await sql<{
        id: string | null;
        tenant_id: string;
        platform: string;
        platform_post_id: string;
        account_id: string;
        published_at: Date | null;
        content_type: string | null;
        hashtags: string[] | null;
        text_length: number | null;
        hour: Date | null;
      }>`
      /* aggregator: write post snapshots */
      WITH posts_in AS (
        SELECT * FROM unnest(
          ${column(posts, 'uuid', (p) => postId(p.event))},
          ${column(posts, 'uuid', (p) => p.event.tenant_id)},
          ${column(posts, 'text', (p) => p.event.platform)},
          ${column(posts, 'text', (p) => p.event.platform_post_id)},
          ${column(posts, 'text', (p) => p.event.account_id)},
          ${column(posts, 'timestamptz', (p) => p.published_at)},
          ${column(posts, 'text', (p) => p.content_type)},
          ${column(posts, 'text', (p) => p.content_text)},
          ${column(posts, 'text', (p) => (p.hashtags ? arrayLiteral(p.hashtags) : null))},
          ${column(posts, 'text', (p) => p.platform_post_url)},
          ${column(posts, 'timestamptz', (p) => p.attributes_observed_at)},
          ${column(posts, 'int', (p) => (p.content_text === null ? null : characters(p.content_text)))},
          ${column(posts, 'text', (p) => (p.hashtags ? arrayLiteral(hashtagKeys(p.hashtags)) : null))}
        ) AS t(id, tenant_id, platform, platform_post_id, account_id, published_at, content_type, content_text,
               hashtags, platform_post_url, attributes_observed_at, text_length, hashtag_keys)
      ),
      -- Posts whose dimensions the batch does not carry in full; only these are read back.
      unknown AS (
        SELECT * FROM unnest(
          ${column(unknown, 'uuid', (p) => p.event.tenant_id)},
          ${column(unknown, 'text', (p) => p.event.platform)},
          ${column(unknown, 'text', (p) => p.event.platform_post_id)}
        ) AS k(tenant_id, platform, platform_post_id)
      ),
      -- Attributes from a newer observation win field by field; an older one only fills what is still
      -- unknown. Rows without new attributes are not rewritten.
      upserted AS (
        INSERT INTO posts AS p (id, tenant_id, platform, platform_post_id, account_id, published_at, content_type,
          content_text, hashtags, platform_post_url, attributes_observed_at, text_length, hashtag_keys)
        SELECT t.id, t.tenant_id, t.platform, t.platform_post_id, t.account_id, t.published_at, t.content_type,
          t.content_text,
          t.hashtags::text[],
          t.platform_post_url, t.attributes_observed_at, t.text_length, t.hashtag_keys::text[]
        FROM posts_in t
        ON CONFLICT (tenant_id, platform, platform_post_id) DO UPDATE SET
          published_at = CASE WHEN ${newerAttributes} THEN COALESCE(excluded.published_at, p.published_at)
                              ELSE COALESCE(p.published_at, excluded.published_at) END,
          content_type = CASE WHEN ${newerAttributes} THEN COALESCE(excluded.content_type, p.content_type)
                              ELSE COALESCE(p.content_type, excluded.content_type) END,
          content_text = CASE WHEN ${newerAttributes} THEN COALESCE(excluded.content_text, p.content_text)
                              ELSE COALESCE(p.content_text, excluded.content_text) END,
          hashtags = CASE WHEN ${newerAttributes} THEN COALESCE(excluded.hashtags, p.hashtags)
                          ELSE COALESCE(p.hashtags, excluded.hashtags) END,
          -- Derived from content_text and hashtags, and null exactly when they are: chosen the same way.
          text_length = CASE WHEN ${newerAttributes} THEN COALESCE(excluded.text_length, p.text_length)
                             ELSE COALESCE(p.text_length, excluded.text_length) END,
          hashtag_keys = CASE WHEN ${newerAttributes} THEN COALESCE(excluded.hashtag_keys, p.hashtag_keys)
                              ELSE COALESCE(p.hashtag_keys, excluded.hashtag_keys) END,
          platform_post_url = CASE WHEN ${newerAttributes} THEN COALESCE(excluded.platform_post_url, p.platform_post_url)
                                   ELSE COALESCE(p.platform_post_url, excluded.platform_post_url) END,
          attributes_observed_at = GREATEST(p.attributes_observed_at, excluded.attributes_observed_at),
          updated_at = now()
        WHERE excluded.attributes_observed_at IS NOT NULL
          AND p.attributes_observed_at IS DISTINCT FROM excluded.attributes_observed_at
        RETURNING p.id, p.tenant_id, p.platform, p.platform_post_id, p.account_id, p.published_at, p.content_type,
          p.hashtags, p.text_length, p.hashtag_keys
      ),
      snapshots_in AS (
        SELECT * FROM unnest(
          ${column(history, 'uuid', (e) => e.tenant_id)},
          ${column(history, 'text', (e) => e.platform)},
          ${column(history, 'text', (e) => e.platform_post_id)},
          ${column(history, 'timestamptz', (e) => e.observed_at)},
          ${column(history, 'uuid', (e) => e.event_id)},
          ${column(history, 'text', (e) => e.account_id)},
          ${sql.join(postMetricNames.map((m) => column(history, 'bigint', (e) => e.metrics[m])))}
        ) AS t(tenant_id, platform, platform_post_id, observed_at, event_id, account_id, ${metricIds})
      ),
      -- The key includes observed_at, so one observation counts once whatever its event_id.
      history AS (
        INSERT INTO post_metric_snapshots (tenant_id, platform, platform_post_id, observed_at, event_id, account_id,
          ${metricIds})
        SELECT * FROM snapshots_in
        ON CONFLICT DO NOTHING
      ),
      -- Each batch post's columns that the latest rows copy (latestPostColumns) once this statement is done:
      -- what the posts upsert wrote, else what the row already held.
      pub AS (
        SELECT k.tenant_id, k.platform, k.platform_post_id,
          ${sql.join(latestPostColumns.map((c) => sql`coalesce(u.${sql.id(c)}, p.${sql.id(c)}) AS ${sql.id(c)}`))}
        FROM (SELECT DISTINCT tenant_id, platform, platform_post_id FROM snapshots_in) k
        LEFT JOIN upserted u USING (tenant_id, platform, platform_post_id)
        LEFT JOIN posts p USING (tenant_id, platform, platform_post_id)
      ),
      -- The latest rows as they were before this statement (its snapshot).
      before AS (
        SELECT l.* FROM post_metrics_latest l JOIN pub USING (tenant_id, platform, platform_post_id)
      ),
      -- Only a strictly newer observation replaces the latest totals; the copies of the post's columns
      -- (publication time, content) follow posts. Every batch post's row is written and returned, changed
      -- or not, so the rollups below take the row as it was from \`before\` without joining the two: their
      -- estimates are one row each, and the nested loop the planner chose compared every pair (2,000 posts:
      -- 4 million pairs, ≈ 0.3 s per join). An unchanged row is rewritten as it was (a redelivered or late
      -- observation, rarely), and adds nothing to the rollups.
      latest AS (
        INSERT INTO post_metrics_latest AS l (tenant_id, platform, platform_post_id, observed_at, event_id,
          account_id, ${metricIds}, ${latestPostIds})
        SELECT DISTINCT ON (s.tenant_id, s.platform, s.platform_post_id) s.*,
          ${sql.join(latestPostColumns.map((c) => sql.ref(`pub.${c}`)))}
        FROM snapshots_in s JOIN pub USING (tenant_id, platform, platform_post_id)
        ORDER BY s.tenant_id, s.platform, s.platform_post_id, s.observed_at DESC
        ON CONFLICT (tenant_id, platform, platform_post_id) DO UPDATE SET
          ${sql.join(
            ['observed_at', 'event_id', 'account_id', ...postMetricNames].map(
              (c) =>
                sql`${sql.id(c)} = CASE WHEN ${newerObservation} THEN excluded.${sql.id(c)} ELSE l.${sql.id(c)} END`,
            ),
          )},
          ${sql.join(latestPostColumns.map((c) => sql`${sql.id(c)} = excluded.${sql.id(c)}`))},
          updated_at = now()
        RETURNING l.*
      ),
      -- The dashboard's rollups follow every latest row of the batch: the row as it was leaves its hour and
      -- day, the row as it is joins its hour and day. In the same statement as the change itself, so a
      -- redelivered batch (whose rows stay as they were) adds nothing.
      ${rollupWrites(sql`(
          SELECT n.tenant_id, n.platform, ${utcHour(sql`n.published_at`)} AS hour, ${rollupContribution('n')}
          FROM latest n WHERE n.published_at IS NOT NULL
          UNION ALL
          SELECT o.tenant_id, o.platform, ${utcHour(sql`o.published_at`)} AS hour, ${rollupContribution('o', -1)}
          FROM before o WHERE o.published_at IS NOT NULL
        )`)},
      -- Content analysis's daily sums per content type, length bucket and hashtag follow the same rows: a
      -- post whose type, text or hashtags changed leaves its old keys and joins its new ones.
      ${contentRollupWrites(sql`(
          ${contentRollupRowsOf(sql`latest`, 'n')}
          UNION ALL
          ${contentRollupRowsOf(sql`before`, 'o', -1)}
        )`)},
      -- What each observation that advanced a post's totals gained over the one before it: the latest row as
      -- it was, or an earlier observation of this batch. The same guard as the latest rows, so a redelivered
      -- batch adds nothing; an observation older than the latest row arrives too late to be counted.
      gains AS (
        ${addGains(sql`(
          SELECT tenant_id, platform, platform_post_id, observed_at, ${gainedIds}, false AS counted FROM before
          UNION ALL
          SELECT s.tenant_id, s.platform, s.platform_post_id, s.observed_at,
            ${sql.join(gainedMetrics.map((m) => sql.ref(`s.${m}`)))}, true AS counted
          FROM snapshots_in s LEFT JOIN before o USING (tenant_id, platform, platform_post_id)
          WHERE o.observed_at IS NULL OR s.observed_at > o.observed_at
        )`)}
      ),
      freshness AS (${raiseFreshness(sql`snapshots_in`)})
      -- Dimensions of the unknown posts: rows the upsert wrote, plus (from the snapshot the statement
      -- started with) the posts it left alone.
      SELECT u.id, u.tenant_id, u.platform, u.platform_post_id, u.account_id, u.published_at, u.content_type,
        u.hashtags, u.text_length, NULL::timestamptz AS hour
      FROM upserted u JOIN unknown USING (tenant_id, platform, platform_post_id)
      UNION ALL
      SELECT p.id, p.tenant_id, p.platform, p.platform_post_id, p.account_id, p.published_at, p.content_type,
        p.hashtags, p.text_length, NULL
      FROM unknown k
      JOIN posts p USING (tenant_id, platform, platform_post_id)
      WHERE NOT EXISTS (
        SELECT 1 FROM upserted u
        WHERE u.tenant_id = p.tenant_id AND u.platform = p.platform AND u.platform_post_id = p.platform_post_id
      )
      UNION ALL
      -- The hours over all platforms whose rollup rows the statement wrote (no post id): copied below.
      SELECT NULL, tenant_id, platform, NULL, NULL, NULL, NULL, NULL, NULL, hour
      FROM rollup_hourly WHERE platform = ${allPlatforms}`.execute(trx);
      await patchDayHours(
        trx,
        written.rows.flatMap((r) => (r.hour ? [{ tenant_id: r.tenant_id, hour: r.hour }] : [])),
      );
      return written.rows.filter((r): r is typeof r & { id: string } => r.id !== null);
    });
    for (const r of rows) {
      dimensions.set(postKey(r), {
        post_id: r.id,
        account_id: r.account_id,
        published_at: r.published_at,
        content_type: r.content_type,
        hashtags: r.hashtags ?? [],
        text_length: r.text_length,
      });
    }
    return dimensions;
  }

  private async writeAccounts(events: readonly AccountMetricsSnapshot[]): Promise<void> {
    const history = pickPerKey(events, (e) => `${accountKey(e)}\u0000${observedMs(e)}`, never);
    const metricIds = sql.join(accountMetricNames.map((m) => sql.id(m)));
    await sql`
      /* aggregator: write account snapshots (followers over time) */
      WITH snapshots_in AS (
        SELECT * FROM unnest(
          ${column(history, 'uuid', (e) => e.tenant_id)},
          ${column(history, 'text', (e) => e.platform)},
          ${column(history, 'text', (e) => e.account_id)},
          ${column(history, 'timestamptz', (e) => e.observed_at)},
          ${column(history, 'uuid', (e) => e.event_id)},
          ${sql.join(accountMetricNames.map((m) => column(history, 'bigint', (e) => e.metrics[m])))}
        ) AS t(tenant_id, platform, account_id, observed_at, event_id, ${metricIds})
      ),
      history AS (
        INSERT INTO account_metric_snapshots (tenant_id, platform, account_id, observed_at, event_id, ${metricIds})
        SELECT * FROM snapshots_in
        ON CONFLICT DO NOTHING
      ),
      hours AS (${upsertFollowerHours(sql`SELECT * FROM snapshots_in`)})
      INSERT INTO account_metrics_latest AS l (tenant_id, platform, account_id, observed_at, event_id, ${metricIds})
      SELECT DISTINCT ON (tenant_id, platform, account_id) * FROM snapshots_in
      ORDER BY tenant_id, platform, account_id, observed_at DESC
      ON CONFLICT (tenant_id, platform, account_id) DO UPDATE SET
        observed_at = excluded.observed_at, event_id = excluded.event_id,
        ${sql.join(accountMetricNames.map((m) => sql`${sql.id(m)} = excluded.${sql.id(m)}`))},
        updated_at = now()
      WHERE excluded.observed_at > l.observed_at`.execute(this.db);
  }
}
