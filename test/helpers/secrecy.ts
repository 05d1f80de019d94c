// Scans of an agent container for a secret, shared by the real-agent e2e
// tests: files (grep -r /), process env and argv (/proc), `docker top`. The
// pattern goes in on stdin, so the secret never enters the agent's argv or env.
import type { AuditRecord } from "../../src/bundle/proxy/audit.ts";
import { docker } from "./docker.ts";
import { run } from "../../src/util/run.ts";

export async function runGrep(container: string, user: string, pattern: string, argv: string[]): Promise<string> {
  const r = await run(["docker", "exec", "-i", "--user", user, container, ...argv], { stdin: pattern + "\n", timeoutMs: 170_000 });
  // grep: 0 found, 1 not found, 2 some file unreadable (with -s, still a valid answer).
  if (r.code > 2) throw new Error(`scan in ${container} failed (exit ${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Files under / holding `pattern` (as `user`). */
export const grepFiles = (container: string, pattern: string, user: string) =>
  runGrep(container, user, pattern, ["grep", "-rlsF", "--exclude-dir=proc", "--exclude-dir=sys", "--exclude-dir=dev", "-f", "/dev/stdin", "/"]);

/** Lines of every process's environ and cmdline holding `pattern`, plus `docker top`'s argv. */
export async function grepProcesses(container: string, pattern: string): Promise<string> {
  const found = await runGrep(container, "root", pattern, [
    "sh",
    "-c",
    // fd 3 keeps the pattern (our stdin) apart from the data grep reads from the pipe.
    'exec 3<&0; cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" "\\n" | grep -F -f /dev/fd/3 || true',
  ]);
  const top = await docker(["top", container, "-eo", "pid,args"]);
  return found + (top.includes(pattern) ? top : "");
}

/** Egress the proxy refused (denied host or blocked request), as `host path` lines for README counts. */
export function refusedEgress(recs: AuditRecord[]): string[] {
  return recs.filter((r) => r.decision === "deny" || r.decision === "block").map((r) => `${r.method} ${r.host}:${r.port}${r.path ?? ""} (${r.decision}: ${r.reason ?? ""})`);
}
