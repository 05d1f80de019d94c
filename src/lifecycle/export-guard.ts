// Watches the disk while a harvest export streams into the state folder and
// aborts the export before the disk fills (see harvest/disk-reserve.ts).
import { rmSync, statfsSync } from "node:fs";
import { dirname } from "node:path";
import type { BackendDriver, CollectOptions } from "../backends/types.ts";
import { lowOnSpace, type DiskSpace } from "../harvest/disk-reserve.ts";
import type { BottlePlan } from "../plan/types.ts";
import { BottleError } from "../util/errors.ts";

export type DiskProbe = (dir: string) => DiskSpace;

export const statfsProbe: DiskProbe = (dir) => {
  const s = statfsSync(dir);
  return { available: s.bavail * s.bsize, total: s.blocks * s.bsize };
};

const EVERY_MS = 200;

export interface ExportGuard {
  signal: AbortSignal;
  /** Why the export was stopped, or null. */
  readonly reason: string | null;
  done(): void;
}

/** Check `dir`'s disk now and every 200 ms until done(); abort `signal` when it runs low. */
export function guardExport(dir: string, probe: DiskProbe = statfsProbe, everyMs = EVERY_MS): ExportGuard {
  const ac = new AbortController();
  let reason: string | null = null;
  const check = () => {
    let why: string | null;
    try {
      why = lowOnSpace(probe(dir));
    } catch {
      // A disk that cannot be asked is not a reason to stop (the write itself will fail if it is full).
      why = null;
    }
    if (why && !reason) {
      reason = why;
      ac.abort(new Error(why));
      clearInterval(timer);
    }
  };
  const timer = setInterval(check, everyMs);
  check();
  return {
    signal: ac.signal,
    get reason() {
      return reason;
    },
    done: () => clearInterval(timer),
  };
}

/**
 * `driver.collect` into a file of the state folder, stopped when the disk runs
 * low: then the partial file is removed and a HARVEST error says so (the bottle
 * still holds the work; rm and gc refuse until it is home).
 */
export async function collectGuarded(
  driver: BackendDriver,
  plan: BottlePlan,
  argv: string[],
  o: CollectOptions,
  probe?: DiskProbe,
): Promise<{ code: number; stderr: string } | null> {
  const guard = guardExport(dirname(o.out), probe);
  let r: { code: number; stderr: string } | null;
  try {
    r = await driver.collect(plan, argv, { ...o, signal: guard.signal });
  } finally {
    guard.done();
  }
  if (guard.reason) {
    rmSync(o.out, { force: true });
    throw new BottleError("HARVEST", `the export from ${plan.identity} was stopped: ${guard.reason}`, {
      hint: `free some space and run \`bot-bottle harvest ${plan.identity}\`; the work stays in the bottle (\`bot-bottle rm -f ${plan.identity}\` discards it)`,
    });
  }
  return r;
}
