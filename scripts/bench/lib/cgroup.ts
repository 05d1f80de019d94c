// Memory of a docker container from its cgroup, read on the host: anonymous
// memory (what the processes themselves hold, not the page cache of the image
// files) and the peak. cgroup v2 (`anon`, memory.peak) and v1 (`rss`,
// memory.max_usage_in_bytes), systemd or cgroupfs driver. Undefined where the
// engine's cgroups are not visible (Docker Desktop's VM).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

function cgroupDir(id: string): { dir: string; v2: boolean } | undefined {
  const v2 = [`/sys/fs/cgroup/system.slice/docker-${id}.scope`, `/sys/fs/cgroup/docker/${id}`];
  for (const d of v2) if (existsSync(join(d, "memory.stat"))) return { dir: d, v2: true };
  const v1 = [`/sys/fs/cgroup/memory/docker/${id}`, `/sys/fs/cgroup/memory/system.slice/docker-${id}.scope`];
  for (const d of v1) if (existsSync(join(d, "memory.stat"))) return { dir: d, v2: false };
  return undefined;
}

/** Pure: the anonymous bytes of a memory.stat text. */
export function anonBytes(stat: string, v2: boolean): number | undefined {
  const key = v2 ? "anon" : "rss";
  const m = new RegExp(`^${key} (\\d+)$`, "m").exec(stat);
  return m ? Number(m[1]) : undefined;
}

export interface ContainerMemory {
  anon: number;
  peak?: number;
}

/** `id`: the full container id (`docker inspect --format {{.Id}}`). */
export function containerMemory(id: string): ContainerMemory | undefined {
  const cg = cgroupDir(id);
  if (!cg) return undefined;
  try {
    const anon = anonBytes(readFileSync(join(cg.dir, "memory.stat"), "utf8"), cg.v2);
    if (anon === undefined) return undefined;
    const peakFile = join(cg.dir, cg.v2 ? "memory.peak" : "memory.max_usage_in_bytes");
    const peak = existsSync(peakFile) ? Number(readFileSync(peakFile, "utf8").trim()) : undefined;
    return { anon, peak };
  } catch {
    return undefined;
  }
}

export const MiB = 1024 * 1024;
