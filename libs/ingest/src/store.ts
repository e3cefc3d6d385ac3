// Ingest state in Postgres: accounts and posts leased to replicas with FOR UPDATE SKIP LOCKED, so no
// post is fetched by two replicas at once and a dead replica's lease simply expires.
import type { Platform, PostMetricsSnapshot } from '@postpulse/contracts';
import type { Database } from '@postpulse/db';
import { type Kysely, type Selectable, sql } from 'kysely';
import { type LadderStep, ladderHorizon, nextRefreshAt } from './schedule.js';

export type AccountRow = Selectable<Database['platform_accounts']>;

export interface LeasedPost {
  account_pk: string;
  platform_post_id: string;
  tenant_id: string;
  platform: Platform;
  published_at: Date;
  next_refresh_at: Date | null;
  attributes: PostMetricsSnapshot['post'];
}

export interface DiscoveredPost {
  platform_post_id: string;
  published_at: string;
  attributes: PostMetricsSnapshot['post'];
}

const ts = (ms: number) => new Date(ms);

/** Accounts with discovery or the follower refresh due, leased to `owner`. */
export async function leaseAccounts(
  db: Kysely<Database>,
  opts: { platforms: readonly Platform[]; owner: string; now: number; leaseMs: number; limit: number },
): Promise<AccountRow[]> {
  const now = ts(opts.now);
  const result = await sql<AccountRow>`
    /* ingest: lease accounts */
    UPDATE platform_accounts a SET lease_owner = ${opts.owner}, lease_until = ${ts(opts.now + opts.leaseMs)}
    FROM (
      SELECT id FROM platform_accounts
      WHERE platform = ANY(${[...opts.platforms]}::text[]) AND status = 'active'
        AND (next_discovery_at <= ${now} OR next_account_refresh_at <= ${now})
        AND (lease_until IS NULL OR lease_until <= ${now})
      ORDER BY LEAST(next_discovery_at, next_account_refresh_at)
      LIMIT ${opts.limit}
      FOR UPDATE SKIP LOCKED
    ) due
    WHERE a.id = due.id
    RETURNING a.*`.execute(db);
  return result.rows;
}

export async function finishAccountWork(
  db: Kysely<Database>,
  owner: string,
  id: string,
  set: {
    next_discovery_at?: number;
    next_account_refresh_at?: number;
    newest_post_at?: number | null;
    backfill_done_at?: number;
    lease_until?: number | null;
  },
): Promise<void> {
  const values: Record<string, Date | null> = { lease_until: set.lease_until ? ts(set.lease_until) : null };
  if (set.next_discovery_at !== undefined) values.next_discovery_at = ts(set.next_discovery_at);
  if (set.next_account_refresh_at !== undefined)
    values.next_account_refresh_at = ts(set.next_account_refresh_at);
  if (set.newest_post_at !== undefined && set.newest_post_at !== null)
    values.newest_post_at = ts(set.newest_post_at);
  if (set.backfill_done_at !== undefined) values.backfill_done_at = ts(set.backfill_done_at);
  await db
    .updateTable('platform_accounts')
    .set({ ...values, lease_owner: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .execute();
}

/**
 * Records discovered posts. New posts inside the ladder are due now; posts past it are kept as done.
 * Known posts get their attributes refreshed (an edited text) and keep their schedule.
 */
export async function upsertDiscoveredPosts(
  db: Kysely<Database>,
  account: Pick<AccountRow, 'id' | 'tenant_id' | 'platform'>,
  posts: readonly DiscoveredPost[],
  now: number,
  ladder: readonly LadderStep[],
): Promise<number> {
  if (posts.length === 0) return 0;
  const horizon = ladderHorizon(ladder);
  let inserted = 0;
  for (let i = 0; i < posts.length; i += 500) {
    const chunk = posts.slice(i, i + 500);
    const result = await db
      .insertInto('ingest_posts')
      .values(
        chunk.map((p) => {
          const published = Date.parse(p.published_at);
          const live = now - published < horizon;
          return {
            account_pk: account.id,
            platform_post_id: p.platform_post_id,
            tenant_id: account.tenant_id,
            platform: account.platform,
            published_at: ts(published),
            state: live ? ('active' as const) : ('done' as const),
            next_refresh_at: live ? ts(now) : null,
            discovered_at: ts(now),
            attributes: p.attributes === null ? null : JSON.stringify(p.attributes),
          };
        }),
      )
      .onConflict((oc) =>
        oc
          .columns(['account_pk', 'platform_post_id'])
          .doUpdateSet((eb) => ({ attributes: eb.ref('excluded.attributes') })),
      )
      .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
      .execute();
    inserted += result.filter((r) => r.inserted).length;
  }
  return inserted;
}

/**
 * Leases due posts in whole batches per account. Accounts are claimed first (`FOR UPDATE SKIP
 * LOCKED` on the account rows), so two replicas never split one account's due posts into two
 * half-full batch calls; of each claimed account, the posts due within `fillAheadMs` are taken, up
 * to `perAccount` (a multiple of the platform's batch size).
 */
export async function leasePosts(
  db: Kysely<Database>,
  opts: {
    platforms: readonly Platform[];
    owner: string;
    now: number;
    leaseMs: number;
    fillAheadMs: number;
    perAccount: number;
    maxAccounts: number;
  },
): Promise<LeasedPost[]> {
  const now = ts(opts.now);
  const result = await sql<LeasedPost>`
    /* ingest: lease due posts */
    WITH due_accounts AS (
      SELECT a.id FROM platform_accounts a
      WHERE a.platform = ANY(${[...opts.platforms]}::text[]) AND a.status = 'active'
        AND EXISTS (
          SELECT 1 FROM ingest_posts p
          WHERE p.account_pk = a.id AND p.next_refresh_at <= ${now}
            AND (p.lease_until IS NULL OR p.lease_until <= ${now}))
      ORDER BY (
        SELECT min(p.next_refresh_at) FROM ingest_posts p
        WHERE p.account_pk = a.id AND p.next_refresh_at IS NOT NULL
          AND (p.lease_until IS NULL OR p.lease_until <= ${now}))
      LIMIT ${opts.maxAccounts}
      FOR UPDATE OF a SKIP LOCKED
    ), ranked AS (
      SELECT p.account_pk, p.platform_post_id,
        row_number() OVER (PARTITION BY p.account_pk ORDER BY p.next_refresh_at, p.platform_post_id) AS rn
      FROM ingest_posts p
      WHERE p.account_pk IN (SELECT id FROM due_accounts)
        AND p.next_refresh_at <= ${ts(opts.now + opts.fillAheadMs)}
        AND (p.lease_until IS NULL OR p.lease_until <= ${now})
    ), picked AS (
      SELECT p.account_pk, p.platform_post_id FROM ingest_posts p
      JOIN ranked r ON r.account_pk = p.account_pk AND r.platform_post_id = p.platform_post_id
      WHERE r.rn <= ${opts.perAccount}
        -- Repeated here so a row another replica refreshed since our snapshot is re-checked on lock.
        AND p.next_refresh_at <= ${ts(opts.now + opts.fillAheadMs)}
        AND (p.lease_until IS NULL OR p.lease_until <= ${now})
      FOR UPDATE OF p SKIP LOCKED
    )
    UPDATE ingest_posts p SET lease_owner = ${opts.owner}, lease_until = ${ts(opts.now + opts.leaseMs)}
    FROM picked WHERE p.account_pk = picked.account_pk AND p.platform_post_id = picked.platform_post_id
    RETURNING p.account_pk, p.platform_post_id, p.tenant_id, p.platform, p.published_at, p.next_refresh_at, p.attributes`.execute(
    db,
  );
  return result.rows;
}

export interface PostOutcome {
  account_pk: string;
  platform_post_id: string;
  published_at: Date;
  /** refreshed: metrics published; deleted: the platform says it is gone; skipped: no data this time. */
  outcome: 'refreshed' | 'deleted' | 'skipped';
}

/** Moves refreshed posts up the ladder and releases their leases (only leases this owner holds). */
export async function completePosts(
  db: Kysely<Database>,
  owner: string,
  outcomes: readonly PostOutcome[],
  now: number,
  ladder: readonly LadderStep[],
): Promise<void> {
  if (outcomes.length === 0) return;
  const accounts: string[] = [];
  const ids: string[] = [];
  const next: Array<string | null> = [];
  const states: string[] = [];
  const refreshed: boolean[] = [];
  for (const o of outcomes) {
    const at = o.outcome === 'deleted' ? null : nextRefreshAt(o.published_at.getTime(), now, ladder);
    accounts.push(o.account_pk);
    ids.push(o.platform_post_id);
    next.push(at === null ? null : new Date(at).toISOString());
    states.push(o.outcome === 'deleted' ? 'deleted' : at === null ? 'done' : 'active');
    refreshed.push(o.outcome === 'refreshed');
  }
  await sql`
    /* ingest: complete refreshed posts */
    UPDATE ingest_posts p SET
      next_refresh_at = v.next_at, state = v.state, lease_owner = NULL, lease_until = NULL,
      last_refreshed_at = CASE WHEN v.refreshed THEN ${ts(now)} ELSE p.last_refreshed_at END,
      refresh_count = p.refresh_count + CASE WHEN v.refreshed THEN 1 ELSE 0 END
    FROM unnest(${accounts}::uuid[], ${ids}::text[], ${next}::timestamptz[], ${states}::text[], ${refreshed}::boolean[])
      AS v(account_pk, platform_post_id, next_at, state, refreshed)
    WHERE p.account_pk = v.account_pk AND p.platform_post_id = v.platform_post_id AND p.lease_owner = ${owner}`.execute(
    db,
  );
}

/** Keeps posts out of reach until `until` (rate limited, breaker open): schedule unchanged. */
export async function holdPosts(
  db: Kysely<Database>,
  owner: string,
  posts: ReadonlyArray<Pick<LeasedPost, 'account_pk' | 'platform_post_id'>>,
  until: number | null,
): Promise<void> {
  if (posts.length === 0) return;
  await sql`
    /* ingest: hold or release post leases */
    UPDATE ingest_posts p SET lease_owner = NULL, lease_until = ${until === null ? null : ts(until)}
    FROM unnest(${posts.map((p) => p.account_pk)}::uuid[], ${posts.map((p) => p.platform_post_id)}::text[]) AS v(account_pk, platform_post_id)
    WHERE p.account_pk = v.account_pk AND p.platform_post_id = v.platform_post_id AND p.lease_owner = ${owner}`.execute(
    db,
  );
}

/** A refresh request: every post of the tenant still on the ladder, discovery and followers, due now. */
export async function requestRefresh(
  db: Kysely<Database>,
  input: { tenant_id: string; platforms: readonly Platform[]; now: number },
): Promise<number> {
  const now = ts(input.now);
  const posts = await db
    .updateTable('ingest_posts')
    .set({ next_refresh_at: now })
    .where('tenant_id', '=', input.tenant_id)
    .where('platform', 'in', [...input.platforms])
    .where('state', '=', 'active')
    .where('next_refresh_at', '>', now)
    .executeTakeFirst();
  await db
    .updateTable('platform_accounts')
    .set({ next_discovery_at: now, next_account_refresh_at: now })
    .where('tenant_id', '=', input.tenant_id)
    .where('platform', 'in', [...input.platforms])
    .where('status', '=', 'active')
    .execute();
  return Number(posts.numUpdatedRows);
}

/** Work that is due and not held: what a test driver waits on before moving the clock. */
export async function pendingWork(
  db: Kysely<Database>,
  platforms: readonly Platform[],
  now: number,
): Promise<{ posts: number; accounts: number }> {
  const at = ts(now);
  const posts = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM ingest_posts p JOIN platform_accounts a ON a.id = p.account_pk
    WHERE p.platform = ANY(${[...platforms]}::text[]) AND a.status = 'active' AND p.next_refresh_at <= ${at}
      AND ((p.lease_owner IS NOT NULL AND p.lease_until > ${at}) OR p.lease_until IS NULL OR p.lease_until <= ${at})`.execute(
    db,
  );
  const accounts = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM platform_accounts
    WHERE platform = ANY(${[...platforms]}::text[]) AND status = 'active'
      AND ((lease_owner IS NOT NULL AND lease_until > ${at}) OR ((next_discovery_at <= ${at} OR next_account_refresh_at <= ${at})
        AND (lease_until IS NULL OR lease_until <= ${at})))`.execute(db);
  return { posts: posts.rows[0]?.n ?? 0, accounts: accounts.rows[0]?.n ?? 0 };
}

export async function loadRetiredMetrics(db: Kysely<Database>, platform: Platform): Promise<Set<string>> {
  const rows = await db
    .selectFrom('platform_retired_metrics')
    .select('metric')
    .where('platform', '=', platform)
    .execute();
  return new Set(rows.map((r) => r.metric));
}

export async function recordRetiredMetric(
  db: Kysely<Database>,
  input: { platform: Platform; metric: string; now: number; message: string },
): Promise<void> {
  await db
    .insertInto('platform_retired_metrics')
    .values({
      platform: input.platform,
      metric: input.metric,
      detected_at: ts(input.now),
      message: input.message,
    })
    .onConflict((oc) => oc.columns(['platform', 'metric']).doNothing())
    .execute();
}
