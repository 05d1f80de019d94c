// The gate's push log: one JSON line per push attempt, appended by the bundle
// into its state folder and read on the host by `bot-bottle logs <id> --git`.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { UpdateDecision } from "./policy.ts";

export interface GitLogEntry {
  at: string;
  repo: string;
  /** "accepted": forwarded to the real remote and stored in the gate; "refused": by policy; "failed": the forward failed. */
  result: "accepted" | "refused" | "failed";
  updates: UpdateDecision[];
  /** The real remote's complaint when the forward failed. */
  error?: string;
}

export function appendGitLog(file: string, entry: GitLogEntry): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, JSON.stringify(entry) + "\n");
}

/** Every well-formed entry of a log file (a torn last line is skipped); [] when the file does not exist. */
export function readGitLog(file: string): GitLogEntry[] {
  if (!existsSync(file)) return [];
  const out: GitLogEntry[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as GitLogEntry;
      if (typeof e.at === "string" && typeof e.repo === "string" && Array.isArray(e.updates)) out.push(e);
    } catch {
      // A line being written while we read: skip it.
    }
  }
  return out;
}

const short = (sha: string) => (/^0+$/.test(sha) ? "0000000" : sha.slice(0, 7));

/** One line per ref update, for `logs --git`. */
export function formatGitLogEntry(e: GitLogEntry): string[] {
  const when = e.at.replace("T", " ").slice(0, 19);
  const lines = e.updates.map((u) => {
    const what = `${u.kind.padEnd(6)} ${u.ref} ${short(u.old)}..${short(u.new)}`;
    return `${when}  ${e.result.padEnd(8)}  ${e.repo}  ${what}${u.reason ? `  (${u.reason})` : ""}`;
  });
  if (e.error) lines.push(`${when}  ${"".padEnd(8)}  ${e.repo}  remote said: ${e.error}`);
  return lines;
}
