import type { Platform } from '@postpulse/contracts';
import { sql } from 'kysely';
import type { DomainContext } from '../context.js';
import { InvalidParameterError } from '../errors.js';
import { postRates } from './math.js';
import { preview } from './post-set.js';

interface Cursor {
  published_at: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.published_at, c.id])).toString('base64url');
}

export function decodeCursor(value: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      !Number.isNaN(Date.parse(parsed[0])) &&
      typeof parsed[1] === 'string' &&
      /^[0-9a-f-]{36}$/.test(parsed[1])
    ) {
      return { published_at: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through
  }
  throw new InvalidParameterError('cursor', 'malformed cursor; pass next_cursor from a previous page');
}

interface Row {
  id: string;
  platform: string;
  platform_post_id: string;
  published_at: Date;
  content_type: string | null;
  content_text: string | null;
  platform_post_url: string | null;
  observed_at: Date | null;
  impressions: number | null;
  reach: number | null;
  clicks: number | null;
  likes_count: number | null;
  comments_count: number | null;
  shares_count: number | null;
}

/** Posts newest first (by publication, then id), keyset-paginated so pages never skip or repeat. */
export async function listPosts(
  ctx: DomainContext,
  input: { platform?: Platform | undefined; limit: number; cursor?: string | undefined },
) {
  const cursor = input.cursor ? decodeCursor(input.cursor) : undefined;
  const platform = input.platform ? sql`AND p.platform = ${input.platform}` : sql``;
  const after = cursor
    ? sql`AND (p.published_at, p.id) < (${new Date(cursor.published_at)}::timestamptz, ${cursor.id}::uuid)`
    : sql``;
  // query-api: list posts
  const { rows } = await sql<Row>`
    SELECT p.id, p.platform, p.platform_post_id, p.published_at, p.content_type, p.content_text, p.platform_post_url,
      l.observed_at, l.impressions, l.reach, l.clicks, l.likes_count, l.comments_count, l.shares_count
    FROM posts p
    LEFT JOIN post_metrics_latest l
      ON l.tenant_id = p.tenant_id AND l.platform = p.platform AND l.platform_post_id = p.platform_post_id
    WHERE p.tenant_id = ${ctx.tenantId} AND p.published_at IS NOT NULL ${platform} ${after}
    ORDER BY p.published_at DESC, p.id DESC
    LIMIT ${input.limit + 1}`.execute(ctx.db);
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    data: page.map((r) => {
      return {
        id: r.id,
        platform: r.platform,
        platform_post_id: r.platform_post_id,
        published_at: r.published_at.toISOString(),
        content_type: r.content_type,
        content_preview: preview(r.content_text),
        platform_post_url: r.platform_post_url,
        fetched_at: r.observed_at ? r.observed_at.toISOString() : null,
        likes_count: r.likes_count,
        comments_count: r.comments_count,
        shares_count: r.shares_count,
        impressions: r.impressions,
        reach: r.reach,
        clicks: r.clicks,
        engagement_rate: postRates(r).engagement_rate,
      };
    }),
    next_cursor:
      rows.length > input.limit && last
        ? encodeCursor({ published_at: last.published_at.toISOString(), id: last.id })
        : null,
  };
}
