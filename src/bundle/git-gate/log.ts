// The gate's push log: one JSON line per push attempt, appended by the bundle
// into its state folder and read on the host by `bot-bottle logs <id> --git`.
import { inert } from "../../util/inert.ts";
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { UpdateDecision } from "./policy.ts";
import { readJsonLines } from "../../util/jsonl.ts";

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
  return readJsonLines(file, isGitLogEntry);
}

export function isGitLogEntry(v: unknown): v is GitLogEntry {
  const e = v as GitLogEntry | null;
  return !!e && typeof e.at === "string" && typeof e.repo === "string" && Array.isArray(e.updates);
}

const short = (sha: string) => (/^0+$/.test(sha) ? "0000000" : sha.slice(0, 7));

/** One line per ref update, for `logs --git`. */
export function formatGitLogEntry(e: GitLogEntry): string[] {
  const when = e.at.replace("T", " ").slice(0, 19);
  const lines = e.updates.map((u) => {
    const what = `${u.kind.padEnd(6)} ${u.ref} ${short(u.old)}..${short(u.new)}`;
    return inert(`${when}  ${e.result.padEnd(8)}  ${e.repo}  ${what}${u.reason ? `  (${u.reason})` : ""}`);
  });
  // Ref names, reasons and the remote's words come from the agent's push: inert.
  if (e.error) lines.push(inert(`${when}  ${"".padEnd(8)}  ${e.repo}  remote said: ${e.error}`));
  return lines;
}
