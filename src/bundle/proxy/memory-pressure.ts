// A soft limit on the proxy's anonymous memory. Each scanned body leaves a few
// MiB of buffers and strings behind (TLS records, the latin1 text of each
// window); the collector reclaims them late, so under a burst of large uploads
// the resident set climbs well past what the live data needs — for every
// bottle on the host. After large bodies the proxy looks at its anonymous
// memory (cheap: one read of /proc/self/statm, at most once per CHECK_EVERY
// bytes) and, past the soft limit, collects now (at most once per interval, so
// the cost stays a bounded share of a core however hard it is pushed).
import { readFileSync } from "node:fs";

export interface PressureOptions {
  /** Anonymous bytes past which a collection runs. */
  softLimit: number;
  /** Body bytes between two looks at memory. */
  checkEvery: number;
  /** Least time between two collections. */
  minIntervalMs: number;
  anon: () => number;
  collect: () => void;
  now: () => number;
}

export const PRESSURE_DEFAULTS = {
  softLimit: 96 * 1024 * 1024,
  checkEvery: 4 * 1024 * 1024,
  minIntervalMs: 250,
};

const PAGE = 4096;

/** Resident anonymous bytes of this process (resident − file-backed shared pages); NaN when unknown. */
export function anonBytes(statm: () => string = () => readFileSync("/proc/self/statm", "latin1")): number {
  try {
    const [, resident, shared] = statm().split(" ").map(Number);
    return resident !== undefined && shared !== undefined && Number.isFinite(resident - shared) ? (resident - shared) * PAGE : NaN;
  } catch {
    return NaN;
  }
}

export class MemoryPressure {
  private since = 0;
  private lastCollect = -Infinity;
  collections = 0;

  constructor(private readonly o: PressureOptions) {}

  /** A body of `bytes` was handled; true when this collected. */
  note(bytes: number): boolean {
    this.since += bytes;
    if (this.since < this.o.checkEvery) return false;
    this.since = 0;
    const t = this.o.now();
    if (t - this.lastCollect < this.o.minIntervalMs) return false;
    // NaN (no /proc) compares false: nothing is collected where memory cannot be read.
    if (!(this.o.anon() > this.o.softLimit)) return false;
    this.lastCollect = t;
    this.collections++;
    this.o.collect();
    return true;
  }
}

export function memoryPressure(o: Partial<PressureOptions> = {}): MemoryPressure {
  return new MemoryPressure({ ...PRESSURE_DEFAULTS, anon: () => anonBytes(), collect: () => Bun.gc(true), now: () => performance.now(), ...o });
}
