// Token state: every account's token is valid until an admin expires or revokes it.

import type { Account } from './world/model.js';
import type { World } from './world/world.js';

/** Meta distinguishes why a session died through error_subcode. */
export type RevokeReason = 'revoked' | 'password_changed' | 'app_removed';

export type TokenState =
  | { kind: 'valid'; account: Account }
  | { kind: 'expired'; account: Account; at: number }
  | { kind: 'revoked'; account: Account; reason: RevokeReason }
  | { kind: 'unknown' };

export class TokenRegistry {
  private readonly expired = new Map<string, number>();
  private readonly revoked = new Map<string, RevokeReason>();

  constructor(private readonly world: World) {}

  check(token: string | undefined): TokenState {
    if (!token) return { kind: 'unknown' };
    const account = this.world.accountByToken(token);
    if (!account) return { kind: 'unknown' };
    const reason = this.revoked.get(token);
    if (reason) return { kind: 'revoked', account, reason };
    const at = this.expired.get(token);
    if (at !== undefined) return { kind: 'expired', account, at };
    return { kind: 'valid', account };
  }

  expire(token: string, at: number): boolean {
    if (!this.world.accountByToken(token)) return false;
    this.expired.set(token, at);
    return true;
  }

  revoke(token: string, reason: RevokeReason): boolean {
    if (!this.world.accountByToken(token)) return false;
    this.revoked.set(token, reason);
    return true;
  }

  restore(token: string): boolean {
    if (!this.world.accountByToken(token)) return false;
    this.expired.delete(token);
    this.revoked.delete(token);
    return true;
  }
}

/** `Authorization: Bearer x` → x */
export function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m?.[1]?.trim();
}
