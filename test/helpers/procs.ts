// Watch a container's processes from the host while something runs in it:
// `docker top` gives host PIDs, and the host's root reads their environ and
// cmdline from /proc. This sees the agent's own process (as the agent user)
// without giving anything in the container ptrace rights.
import { readFileSync } from "node:fs";
import { run } from "../../src/util/run.ts";

export interface ProcSnapshot {
  pid: number;
  cmdline: string;
  environ: string;
}

export interface ProcessWatch {
  /** Stop polling; every distinct process seen (by pid and cmdline). */
  stop(): Promise<ProcSnapshot[]>;
}

/** Only root on the host may read other users' /proc/PID/environ. */
export function canWatchProcesses(): boolean {
  return process.platform === "linux" && process.getuid?.() === 0;
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "latin1").replaceAll("\0", "\n");
  } catch {
    return ""; // exited between `docker top` and the read
  }
}

export function watchContainerProcesses(container: string, intervalMs = 150, maxMs = 900_000): ProcessWatch {
  const seen = new Map<string, ProcSnapshot>();
  let stopped = false;
  const deadline = Date.now() + maxMs;
  const loop = (async () => {
    while (!stopped && Date.now() < deadline) {
      // Fails until the container exists: keep polling.
      const top = await run(["docker", "top", container, "-eo", "pid"], { timeoutMs: 10_000 }).catch(() => undefined);
      for (const line of top?.code === 0 ? top.stdout.split("\n").slice(1) : []) {
        const pid = Number(line.trim());
        if (!pid) continue;
        const cmdline = readProc(pid, "cmdline");
        const key = `${pid} ${cmdline}`;
        if (!seen.has(key)) seen.set(key, { pid, cmdline, environ: readProc(pid, "environ") });
      }
      await Bun.sleep(intervalMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return [...seen.values()];
    },
  };
}
