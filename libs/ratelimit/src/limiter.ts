// A rate limiter shared by every replica through Redis. Each decision is one atomic Lua script over
// one or more buckets (a platform's per-user and per-app windows are taken together or not at all),
// and what the platform says (remaining calls, a block until some time) narrows the local budget.
import type { Redis } from 'ioredis';
import type { Clock } from './clock.js';

/**
 * `fixed`: a window that opens with the first call and lasts windowMs (X's 15-minute windows).
 * `utc-day`: a window that resets at 00:00 UTC (LinkedIn's daily quotas).
 * `sliding`: a rolling window kept in 60 slices (Meta's rolling hour and day).
 */
export type WindowMode = 'fixed' | 'utc-day' | 'sliding';

export interface Bucket {
  key: string;
  limit: number;
  windowMs: number;
  mode: WindowMode;
}

export type Decision = { ok: true } | { ok: false; retryAt: number; key: string };

const ACQUIRE = `
local now
if ARGV[1] ~= '' then now = tonumber(ARGV[1]) else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local cost = tonumber(ARGV[2])
local retry = 0
local refused = 0
local plans = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local base = 3 + (i - 1) * 3
  local limit = tonumber(ARGV[base])
  local window = tonumber(ARGV[base + 1])
  local mode = ARGV[base + 2]
  local h = redis.call('HMGET', key, 'blocked', 'used', 'reset', 'rem', 'rem_reset')
  local blocked = tonumber(h[1]) or 0
  local plan = { mode = mode, window = window, blocked = blocked }
  if now < blocked then
    if blocked > retry then retry = blocked; refused = i end
  elseif mode == 'sliding' then
    local slice = math.max(1, math.floor(window / 60))
    local total = 0
    local oldest = nil
    local stale = {}
    local counts = redis.call('HGETALL', key)
    for j = 1, #counts, 2 do
      local f = counts[j]
      if string.sub(f, 1, 2) == 's:' then
        local start = tonumber(string.sub(f, 3))
        if start + slice + window <= now then
          table.insert(stale, f)
        else
          total = total + tonumber(counts[j + 1])
          if oldest == nil or start < oldest then oldest = start end
        end
      end
    end
    plan.stale = stale
    plan.slice = math.floor(now / slice) * slice
    if total + cost > limit then
      local at = (oldest or now) + slice + window
      if at > retry then retry = at; refused = i end
    end
  else
    local used = tonumber(h[2]) or 0
    local reset = tonumber(h[3])
    if reset == nil or now >= reset then
      used = 0
      if mode == 'utc-day' then reset = (math.floor(now / 86400000) + 1) * 86400000 else reset = now + window end
    end
    local avail = limit - used
    local rem = tonumber(h[4])
    local rem_reset = tonumber(h[5])
    if rem ~= nil and rem_reset ~= nil and now < rem_reset then
      if rem < avail then avail = rem end
      plan.rem = rem
    end
    plan.used = used
    plan.reset = reset
    if avail < cost then
      local at = reset
      if plan.rem ~= nil and rem_reset > at then at = rem_reset end
      if at > retry then retry = at; refused = i end
    end
  end
  plans[i] = plan
end
if retry > 0 then return { 0, tostring(retry), refused } end
for i = 1, #KEYS do
  local key = KEYS[i]
  local p = plans[i]
  local keep = p.window * 2
  if p.mode == 'sliding' then
    for _, f in ipairs(p.stale) do redis.call('HDEL', key, f) end
    redis.call('HINCRBY', key, 's:' .. p.slice, cost)
  else
    redis.call('HSET', key, 'used', p.used + cost, 'reset', p.reset)
    if p.rem ~= nil then redis.call('HSET', key, 'rem', p.rem - cost) end
    if p.reset - now + 60000 > keep then keep = p.reset - now + 60000 end
  end
  if p.blocked - now + 60000 > keep then keep = p.blocked - now + 60000 end
  redis.call('PEXPIRE', key, math.floor(keep))
end
return { 1, tostring(now), 0 }
`;

// What the platform reported after a call: calls remaining until resetAt. Applied to the window it
// belongs to; a late answer from an older window is ignored; within one window the lower count wins.
const OBSERVE = `
local remaining = tonumber(ARGV[1])
local reset_at = tonumber(ARGV[2])
local h = redis.call('HMGET', KEYS[1], 'rem', 'rem_reset', 'reset')
local rem = tonumber(h[1])
local rem_reset = tonumber(h[2]) or 0
local reset = tonumber(h[3]) or 0
if rem_reset == reset_at then
  if rem == nil or remaining < rem then redis.call('HSET', KEYS[1], 'rem', remaining) end
elseif rem_reset < reset_at then
  redis.call('HSET', KEYS[1], 'rem', remaining, 'rem_reset', reset_at)
end
if reset > 0 and reset < reset_at then redis.call('HSET', KEYS[1], 'reset', reset_at) end
local ttl = redis.call('PTTL', KEYS[1])
local want = tonumber(ARGV[3])
if ttl < want then redis.call('PEXPIRE', KEYS[1], want) end
return 1
`;

const BLOCK = `
local current = tonumber(redis.call('HGET', KEYS[1], 'blocked')) or 0
local until_at = tonumber(ARGV[1])
if until_at > current then redis.call('HSET', KEYS[1], 'blocked', until_at) end
local ttl = redis.call('PTTL', KEYS[1])
local want = tonumber(ARGV[2])
if ttl < want then redis.call('PEXPIRE', KEYS[1], want) end
return 1
`;

type Reply = [number, string, number];

interface LimiterCommands {
  ppAcquire(numKeys: number, ...args: Array<string | number>): Promise<Reply>;
  ppObserve(key: string, ...args: Array<string | number>): Promise<number>;
  ppBlock(key: string, ...args: Array<string | number>): Promise<number>;
}

export class RateLimiter {
  private readonly commands: LimiterCommands;

  constructor(
    private readonly redis: Redis,
    private readonly clock: Clock,
    private readonly prefix = 'postpulse:rl:',
  ) {
    redis.defineCommand('ppAcquire', { lua: ACQUIRE });
    redis.defineCommand('ppObserve', { lua: OBSERVE, numberOfKeys: 1 });
    redis.defineCommand('ppBlock', { lua: BLOCK, numberOfKeys: 1 });
    this.commands = redis as unknown as LimiterCommands;
  }

  private nowArg(): string {
    return this.clock.system ? '' : String(this.clock.now());
  }

  /** Takes `cost` from every bucket, or from none and says when to come back. */
  async acquire(buckets: readonly Bucket[], cost = 1): Promise<Decision> {
    const args: Array<string | number> = [this.nowArg(), cost];
    for (const b of buckets) args.push(b.limit, b.windowMs, b.mode);
    const keys = buckets.map((b) => this.prefix + b.key);
    const [ok, at, refused] = await this.commands.ppAcquire(keys.length, ...keys, ...args);
    if (ok === 1) return { ok: true };
    return { ok: false, retryAt: Number(at), key: buckets[refused - 1]?.key ?? '' };
  }

  /** The platform said `remaining` calls are left in the window that ends at `resetAt`. */
  async observe(key: string, remaining: number, resetAt: number): Promise<void> {
    const keep = Math.max(60_000, resetAt - this.clock.now() + 60_000);
    await this.commands.ppObserve(
      this.prefix + key,
      Math.max(0, Math.floor(remaining)),
      Math.ceil(resetAt),
      keep,
    );
  }

  /** No call through this bucket until `until` (a 429, a usage cap, a usage percentage near 100). */
  async block(key: string, until: number): Promise<void> {
    const keep = Math.max(60_000, Math.min(until - this.clock.now(), 40 * 86_400_000) + 60_000);
    await this.commands.ppBlock(this.prefix + key, Math.ceil(until), Math.ceil(keep));
  }

  async blockedUntil(key: string): Promise<number | null> {
    const v = await this.redis.hget(this.prefix + key, 'blocked');
    const at = v === null ? null : Number(v);
    return at !== null && at > this.clock.now() ? at : null;
  }
}
