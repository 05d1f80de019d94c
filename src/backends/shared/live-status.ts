// One bottle status from its two halves, the same for both drivers (the
// smolmachines driver maps its machine state to docker's words first).
import type { LiveStatus } from "../types.ts";

/** Pure: two container states → one bottle status. */
export function liveStatus(bundle: string | undefined, agent: string | undefined): LiveStatus {
  if (!bundle && !agent) return "missing";
  if (bundle === "running" && agent === "running") return "running";
  const stopped = (s: string | undefined) => s === "exited" || s === "created";
  if (stopped(bundle) && stopped(agent)) return "stopped";
  return "partial";
}
