// Phase timings for `--debug`: where a launch spends its time (plan, images,
// networks, bundle start, readiness, agent start, provisioning, teardown).
// Printed as debug lines; `timed()` adds nothing but a clock read otherwise.
import { consola } from "consola";

/** Pure: one debug line, `phase NAME  123 ms  (t+456 ms)`. */
export function phaseLine(name: string, ms: number, sinceStartMs: number): string {
  return `phase ${name.padEnd(14)} ${Math.round(ms).toString().padStart(5)} ms  (t+${Math.round(sinceStartMs)} ms)`;
}

/** Run `fn` and log how long it took under `name` (also when it throws). */
export async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    const now = performance.now();
    consola.debug(phaseLine(name, now - t, now));
  }
}

/** Log a phase measured elsewhere (the bundle reports its own CA time). */
export function reportPhase(name: string, ms: number): void {
  consola.debug(phaseLine(name, ms, performance.now()));
}
