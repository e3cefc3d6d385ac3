// Each platform writes time differently; normalizers must cope with all three.

/** X: 2026-11-18T15:04:05.000Z */
export function xTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Meta: 2026-11-18T15:04:05+0000 */
export function metaTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+0000`;
}

/** Meta format from an ISO string already at hand. */
export function metaTimeFromIso(iso: string): string {
  return `${iso.slice(0, 19)}+0000`;
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
