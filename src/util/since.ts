// `--since T` for logs: a duration back from now (`90s`, `10m`, `2h`, `1d`)
// or an ISO 8601 time (`2026-01-01T12:00:00Z`, `2026-01-01`).
import { BottleError } from "./errors.ts";

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Pure: the instant `text` names, relative to `now`. */
export function parseSince(text: string, now: Date = new Date()): Date {
  const rel = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!]!);
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    const d = new Date(text.trim());
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new BottleError("USAGE", `--since ${JSON.stringify(text)} is neither a duration nor a time`, {
    hint: "use e.g. --since 10m, --since 2h, --since 1d or --since 2026-01-01T12:00:00Z",
  });
}

/** Pure: `--tail N` (a whole number ≥ 0). */
export function parseTail(text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new BottleError("USAGE", `--tail ${JSON.stringify(text)} is not a number of lines`, { hint: "use e.g. --tail 50" });
  }
  return Number(text.trim());
}
