// Faults on demand: a config object the handlers consult on every request. Post-level faults are
// decided by hashing the post id, so the same post stays deleted (or omitted) while a fault is on.
import { z } from 'zod';
import { type DeepPartial, mergeDeep } from './config.js';
import { unitFromKey } from './prng.js';
import type { ApiName } from './violations.js';

export interface FaultConfig {
  /** Share of requests answered with a 5xx, per API. */
  error_rate: Record<ApiName, number>;
  /** Latency added before answering, per API. */
  latency_ms: Record<ApiName, number>;
  /** Share of requests that never answer until the client aborts, per API. */
  hang_rate: Record<ApiName, number>;
  /** Share of all posts that are deleted (chosen by post id). */
  deleted_share: number;
  /** Post ids (X id, LinkedIn URN, Facebook `{page}_{post}`, Instagram media id) that are deleted. */
  deleted_posts: string[];
  /** Instagram media younger than this answer insights with `{"data": []}`; 0 = always ready. */
  instagram_insights_lag_hours: number;
  /** Instagram stories reaching fewer people than this refuse insights (error #10). */
  instagram_story_min_viewers: number;
  /** Share of requested LinkedIn URNs silently left out of statistics `elements`. */
  linkedin_omit_share: number;
  /** Share of LinkedIn posts whose statistics report a negative `likeCount`. */
  linkedin_negative_likes_share: number;
}

export const DEFAULT_FAULTS: FaultConfig = {
  error_rate: { x: 0, linkedin: 0, meta: 0 },
  latency_ms: { x: 0, linkedin: 0, meta: 0 },
  hang_rate: { x: 0, linkedin: 0, meta: 0 },
  deleted_share: 0,
  deleted_posts: [],
  instagram_insights_lag_hours: 0,
  instagram_story_min_viewers: 5,
  linkedin_omit_share: 0,
  linkedin_negative_likes_share: 0,
};

const share = z.number().min(0).max(1);
const perApi = (v: z.ZodNumber) => z.object({ x: v, linkedin: v, meta: v }).partial().strict();

const faultPatchSchema = z
  .object({
    error_rate: perApi(share),
    latency_ms: perApi(z.number().int().min(0).max(600_000)),
    hang_rate: perApi(share),
    deleted_share: share,
    deleted_posts: z.array(z.string().min(1)),
    instagram_insights_lag_hours: z.number().min(0),
    instagram_story_min_viewers: z.number().int().min(0),
    linkedin_omit_share: share,
    linkedin_negative_likes_share: share,
  })
  .partial()
  .strict();

export class Faults {
  private config: FaultConfig;
  private deleted: Set<string>;

  constructor(initial?: DeepPartial<FaultConfig>) {
    this.config = mergeDeep(
      DEFAULT_FAULTS,
      faultPatchSchema.parse(initial ?? {}) as DeepPartial<FaultConfig>,
    );
    this.deleted = new Set(this.config.deleted_posts);
  }

  get current(): Readonly<FaultConfig> {
    return this.config;
  }

  /** Merge a validated patch into the current faults. */
  apply(patch: unknown): FaultConfig {
    const parsed = faultPatchSchema.parse(patch) as DeepPartial<FaultConfig>;
    this.config = mergeDeep(this.config, parsed);
    this.deleted = new Set(this.config.deleted_posts);
    return this.config;
  }

  reset(): FaultConfig {
    this.config = structuredClone(DEFAULT_FAULTS);
    this.deleted = new Set();
    return this.config;
  }

  hasDeletions(): boolean {
    return this.deleted.size > 0 || this.config.deleted_share > 0;
  }

  isDeleted(postId: string): boolean {
    if (this.deleted.has(postId)) return true;
    const s = this.config.deleted_share;
    return s > 0 && unitFromKey('deleted', postId) < s;
  }

  linkedinOmits(urn: string): boolean {
    const s = this.config.linkedin_omit_share;
    return s > 0 && unitFromKey('omit', urn) < s;
  }

  linkedinNegativeLikes(urn: string): boolean {
    const s = this.config.linkedin_negative_likes_share;
    return s > 0 && unitFromKey('negative-likes', urn) < s;
  }
}
