// CPU time a process has used (user + system, all its threads), read from
// /proc/<pid>/stat on Linux. On a small machine where the load client, the
// origin and the proxy share the cores, CPU per request is the fair measure of
// what the proxy costs; throughput only says who won the cores.
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";

/** Pure: utime + stime (clock ticks) of a /proc/<pid>/stat line. The command name may hold spaces and parentheses. */
export function statCpuTicks(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the name: state(3) ppid … utime(14) stime(15), numbered from pid = 1.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unexpected /proc stat line: ${stat.slice(0, 80)}`);
  return utime + stime;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
    const n = Number(r.stdout?.trim());
    ticksPerSecond = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/** CPU milliseconds used so far by process `pid` (NaN where /proc is not there). */
export function cpuMs(pid: number): number {
  try {
    return (statCpuTicks(readFileSync(`/proc/${pid}/stat`, "utf8")) * 1000) / clockTicks();
  } catch {
    return NaN;
  }
}
