// The shared ingest loop: lease what is due, call the platform through the adapter, publish, move
// the schedule. Every replica runs the same loop; Postgres leases keep them from overlapping.
import { randomUUID } from 'node:crypto';
import {
  type AccountsDeps,
  loadCredentials,
  markNeedsReauth,
  setRateLimitedUntil,
} from '@postpulse/accounts';
import {
  type AccountStatus,
  type Platform,
  type PostMetricsSnapshot,
  snapshotEventId,
} from '@postpulse/contracts';
import type { Database } from '@postpulse/db';
import type { Logger } from '@postpulse/logging';
import type { Clock } from '@postpulse/ratelimit';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { AccountContext, GroupResult, PlatformAdapter, RefreshGroup } from './adapter.js';
import { type IngestMetrics, ingestMetrics } from './metrics.js';
import type { EventSink } from './publisher.js';
import type { LadderStep } from './schedule.js';
import {
  type AccountRow,
  completePosts,
  finishAccountWork,
  holdPosts,
  type LeasedPost,
  leaseAccounts,
  leasePosts,
  type PostOutcome,
  upsertDiscoveredPosts,
} from './store.js';
import { isAuthError, PlatformError } from './types.js';

export interface WorkerSettings {
  ladder: readonly LadderStep[];
  leaseMs: number;
  /** Posts due within this much are pulled into a batch early, to fill batch calls. */
  fillAheadMs: number;
  discoveryIntervalMs: number;
  accountRefreshIntervalMs: number;
  /** Overlap when looking for new posts since the newest known one. */
  discoveryOverlapMs: number;
  /** How long to keep work away after a server error or open breaker. */
  errorBackoffMs: number;
  /** After a rate limit whose end the platform did not say. */
  rateLimitBackoffMs: number;
  /** Accounts leased per tick; groups refreshed in parallel. */
  accountsPerTick: number;
  /** Full batch calls taken per account per tick. */
  batchesPerAccount: number;
  concurrency: number;
  /** Real-time wait when nothing is due. */
  idlePollMs: number;
}

export const defaultWorkerSettings: Omit<WorkerSettings, 'ladder'> = {
  leaseMs: 5 * 60_000,
  fillAheadMs: 15 * 60_000,
  discoveryIntervalMs: 15 * 60_000,
  accountRefreshIntervalMs: 24 * 3_600_000,
  discoveryOverlapMs: 3_600_000,
  errorBackoffMs: 60_000,
  rateLimitBackoffMs: 15 * 60_000,
  accountsPerTick: 8,
  batchesPerAccount: 4,
  concurrency: 4,
  idlePollMs: 1_000,
};

export interface WorkerDeps {
  db: Kysely<Database>;
  accounts: AccountsDeps;
  sink: EventSink;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  adapters: readonly PlatformAdapter[];
  settings: WorkerSettings;
  /** Replica identity for leases; defaults to a random id. */
  owner?: string;
}

export interface TickResult {
  accounts: number;
  posts: number;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      const item = items[i] as T;
      out[i] = await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, run));
  return out;
}

export class IngestWorker {
  readonly owner: string;
  private readonly log: Logger;
  private readonly metrics: IngestMetrics;
  private readonly byPlatform = new Map<Platform, PlatformAdapter>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly deps: WorkerDeps) {
    this.owner = deps.owner ?? `ingest-${randomUUID()}`;
    this.log = deps.logger.child({ component: 'ingest-worker', owner: this.owner });
    this.metrics = ingestMetrics(deps.registry);
    for (const a of deps.adapters) this.byPlatform.set(a.platform, a);
  }

  get platforms(): Platform[] {
    return [...this.byPlatform.keys()];
  }

  private observedAt(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  private async context(row: AccountRow): Promise<AccountContext> {
    const creds = await loadCredentials(this.deps.accounts, row);
    const platform = row.platform as Platform;
    return {
      account: { id: row.id, tenant_id: row.tenant_id, platform, account_id: row.account_id },
      accessToken: creds.access_token,
    };
  }

  /** One pass: due accounts (discovery, followers), then due posts. */
  async tick(): Promise<TickResult> {
    const accounts = await this.accountsTick();
    const posts = await this.postsTick();
    return { accounts, posts };
  }

  /** Due account work only (discovery, followers); returns accounts handled. */
  async accountsTick(): Promise<number> {
    const { db, settings } = this.deps;
    const now = this.deps.clock.now();
    const rows = await leaseAccounts(db, {
      platforms: this.platforms,
      owner: this.owner,
      now,
      leaseMs: settings.leaseMs,
      limit: settings.accountsPerTick,
    });
    await mapLimit(rows, settings.concurrency, (row) => this.accountWork(row, now));
    return rows.length;
  }

  private async accountWork(row: AccountRow, now: number): Promise<void> {
    const { db, settings } = this.deps;
    const adapter = this.byPlatform.get(row.platform as Platform);
    if (!adapter) return;
    const log = this.log.child({ account_pk: row.id, platform: row.platform });
    const set: Parameters<typeof finishAccountWork>[3] = {};
    try {
      const ctx = await this.context(row);
      if (new Date(row.next_discovery_at).getTime() <= now) {
        const since = row.newest_post_at
          ? Math.max(
              new Date(row.backfill_from).getTime(),
              new Date(row.newest_post_at).getTime() - settings.discoveryOverlapMs,
            )
          : new Date(row.backfill_from).getTime();
        const found = await adapter.discover(ctx, since, this.observedAt());
        const inserted = await upsertDiscoveredPosts(db, row, found.posts, now, settings.ladder);
        log.debug({ seen: found.posts.length, inserted }, 'discovery done');
        set.next_discovery_at = now + settings.discoveryIntervalMs;
        set.newest_post_at = found.newest;
        if (!row.backfill_done_at) set.backfill_done_at = now;
      }
      if (new Date(row.next_account_refresh_at).getTime() <= now) {
        const snapshot = await adapter.refreshAccount(ctx, this.observedAt());
        await this.deps.sink.accounts([snapshot]);
        this.metrics.snapshotsPublished.inc({ platform: row.platform, topic: 'account-metrics' });
        set.next_account_refresh_at = now + settings.accountRefreshIntervalMs;
      }
      await finishAccountWork(db, this.owner, row.id, set);
    } catch (e) {
      const until = await this.handleError(row, e, log);
      await finishAccountWork(db, this.owner, row.id, { ...set, lease_until: until });
    }
  }

  /** Acts on a failed call; returns until when the work stays parked. */
  private async handleError(
    row: Pick<AccountRow, 'id' | 'tenant_id' | 'platform' | 'account_id'>,
    e: unknown,
    log: Logger,
  ): Promise<number> {
    const now = this.deps.clock.now();
    const { settings } = this.deps;
    if (!(e instanceof PlatformError)) {
      log.error({ err: e }, 'ingest work failed');
      return now + settings.errorBackoffMs;
    }
    if (isAuthError(e.kind)) {
      const changed = await markNeedsReauth(this.deps.accounts, {
        id: row.id,
        reason: `${e.kind}: ${e.message}`,
      });
      if (changed) {
        log.warn({ kind: e.kind }, 'token refused: account needs reconnecting; calls stopped');
        this.metrics.accountStatus.inc({ platform: row.platform, status: 'needs_reauth' });
        await this.deps.sink.status(
          this.statusEvent(row, 'needs_reauth', `${e.kind}: ${e.message}`, null, now),
        );
      }
      return now + settings.errorBackoffMs;
    }
    if (e.kind === 'rate_limited' || e.kind === 'quota_exhausted') {
      const until = e.retryAt ?? now + settings.rateLimitBackoffMs;
      const refusedLocally = e.detail.message === 'refused locally, not sent';
      if (!refusedLocally) {
        const changed = await setRateLimitedUntil(this.deps.accounts, { id: row.id, until: new Date(until) });
        if (changed) {
          log.warn({ kind: e.kind, until: new Date(until).toISOString() }, 'platform throttled the account');
          this.metrics.accountStatus.inc({ platform: row.platform, status: 'rate_limited' });
          await this.deps.sink.status(this.statusEvent(row, 'rate_limited', e.message, until, now));
        }
      }
      return until;
    }
    if (e.kind === 'server_error') {
      log.warn({ err: e.message }, 'platform unavailable; backing off');
      return e.retryAt ?? now + settings.errorBackoffMs;
    }
    log.error({ kind: e.kind, err: e.message }, 'platform refused the request');
    return now + settings.rateLimitBackoffMs;
  }

  private statusEvent(
    row: Pick<AccountRow, 'tenant_id' | 'platform' | 'account_id'>,
    status: AccountStatus['status'],
    reason: string,
    until: number | null,
    now: number,
  ): AccountStatus {
    const observed_at = new Date(now).toISOString();
    return {
      schema_version: 1,
      event_id: snapshotEventId({
        tenant_id: row.tenant_id,
        platform: row.platform,
        subject_id: `status:${status}:${row.account_id}`,
        observed_at,
      }),
      tenant_id: row.tenant_id,
      platform: row.platform as Platform,
      account_id: row.account_id,
      status,
      reason: reason.slice(0, 1000),
      until: until === null ? null : new Date(until).toISOString(),
      observed_at,
    };
  }

  /** Due post refreshes only; returns posts leased. */
  async postsTick(): Promise<number> {
    const { db, settings } = this.deps;
    const now = this.deps.clock.now();
    const maxBatch = Math.max(...[...this.byPlatform.values()].map((a) => a.batchSize));
    const leased = await leasePosts(db, {
      platforms: this.platforms,
      owner: this.owner,
      now,
      leaseMs: settings.leaseMs,
      fillAheadMs: settings.fillAheadMs,
      perAccount: maxBatch * settings.batchesPerAccount,
      maxAccounts: settings.accountsPerTick,
    });
    if (leased.length === 0) return 0;
    const byAccount = new Map<string, LeasedPost[]>();
    for (const p of leased) {
      const list = byAccount.get(p.account_pk) ?? [];
      list.push(p);
      byAccount.set(p.account_pk, list);
    }
    const rows = await db
      .selectFrom('platform_accounts')
      .selectAll()
      .where('id', 'in', [...byAccount.keys()])
      .execute();
    const groupsByPlatform = new Map<Platform, RefreshGroup[]>();
    for (const row of rows) {
      const posts = byAccount.get(row.id) ?? [];
      byAccount.delete(row.id);
      if (row.status !== 'active') {
        await holdPosts(db, this.owner, posts, null);
        continue;
      }
      const ctx = await this.context(row);
      const adapter = this.byPlatform.get(ctx.account.platform);
      if (!adapter) continue;
      const list = groupsByPlatform.get(ctx.account.platform) ?? [];
      for (let i = 0; i < posts.length; i += adapter.batchSize) {
        list.push({ ctx, posts: posts.slice(i, i + adapter.batchSize) });
      }
      groupsByPlatform.set(ctx.account.platform, list);
    }
    for (const orphan of byAccount.values()) await holdPosts(db, this.owner, orphan, null);

    for (const [platform, groups] of groupsByPlatform) {
      const adapter = this.byPlatform.get(platform);
      if (!adapter) continue;
      const observedAt = this.observedAt();
      let results: GroupResult[];
      try {
        results = await adapter.refresh(groups, observedAt);
      } catch (e) {
        results = groups.map((g) => ({
          account_pk: g.ctx.account.id,
          snapshots: [],
          itemErrors: [],
          error: e instanceof PlatformError ? e : new PlatformError('server_error', String(e)),
        }));
      }
      // Results come back in the order of the groups (an account may have several groups).
      await mapLimit(
        groups.map((g, i) => ({ g, r: results[i] })),
        settings.concurrency,
        ({ g, r }) =>
          r && r.account_pk === g.ctx.account.id
            ? this.finishGroup(g, r)
            : holdPosts(db, this.owner, g.posts, this.deps.clock.now() + settings.errorBackoffMs),
      );
    }
    return leased.length;
  }

  private async finishGroup(group: RefreshGroup, result: GroupResult): Promise<void> {
    const { db, settings } = this.deps;
    const account = group.ctx.account;
    const log = this.log.child({ account_pk: account.id, platform: account.platform });
    if (result.error) {
      const until = await this.handleError(account, result.error, log);
      const auth = isAuthError(result.error.kind);
      await holdPosts(db, this.owner, group.posts, auth ? null : until);
      return;
    }
    const byId = new Map(group.posts.map((p) => [p.platform_post_id, p]));
    // Discovery saw what the post is; attach it when the metrics answer did not carry it.
    const snapshots: PostMetricsSnapshot[] = result.snapshots
      .filter((s) => byId.has(s.platform_post_id))
      .map((s) => (s.post === null ? { ...s, post: byId.get(s.platform_post_id)?.attributes ?? null } : s));
    await this.deps.sink.posts(snapshots);
    this.metrics.postsRefreshed.inc({ platform: account.platform }, snapshots.length);
    this.metrics.snapshotsPublished.inc(
      { platform: account.platform, topic: 'post-metrics' },
      snapshots.length,
    );
    const published = new Set(snapshots.map((s) => s.platform_post_id));
    const deleted = new Set<string>();
    for (const e of result.itemErrors) {
      this.metrics.itemErrors.inc({ platform: account.platform, kind: e.kind });
      if (e.kind === 'not_found') deleted.add(e.platform_post_id);
    }
    if (deleted.size > 0)
      log.info({ posts: [...deleted].slice(0, 20), count: deleted.size }, 'posts gone at the platform');
    const outcomes: PostOutcome[] = group.posts.map((p) => ({
      account_pk: p.account_pk,
      platform_post_id: p.platform_post_id,
      published_at: new Date(p.published_at),
      outcome: published.has(p.platform_post_id)
        ? 'refreshed'
        : deleted.has(p.platform_post_id)
          ? 'deleted'
          : 'skipped',
    }));
    await completePosts(db, this.owner, outcomes, this.deps.clock.now(), settings.ladder);
  }

  /** Runs ticks until stopped; waits `idlePollMs` of real time when nothing was due. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let worked = false;
        try {
          const r = await this.tick();
          worked = r.accounts > 0 || r.posts > 0;
        } catch (e) {
          this.log.error({ err: e }, 'ingest tick failed');
        }
        if (!worked && this.running) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, this.deps.settings.idlePollMs);
            this.wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          this.wake = null;
        }
      }
    })();
  }

  /** Ends the loop after the current tick (its leases are completed or released). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  /** Skips the idle wait (a refresh request arrived, or a test moved the clock). */
  nudge(): void {
    this.wake?.();
  }
}
