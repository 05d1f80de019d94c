// The gate's push log: one JSON line per push attempt, appended by the bundle
// into its state folder and read on the host by `bot-bottle logs <id> --git`.
import { inert } from "../../util/inert.ts";
import type { UpdateDecision } from "./policy.ts";
import { existsSync, readFileSync } from "node:fs";
import { parseJsonLines } from "../../util/jsonl.ts";
import { isChainRecord } from "../audit-chain/record.ts";
import { openChain, releaseChain } from "../audit-chain/writer.ts";

export interface GitLogEntry {
  at: string;
  repo: string;
  /** "accepted": forwarded to the real remote and stored in the gate; "refused": by policy; "failed": the forward failed. */
  result: "accepted" | "refused" | "failed";
  updates: UpdateDecision[];
  /** The real remote's complaint when the forward failed. */
  error?: string;
}

/** Append a push attempt to the bottle's audit chain (the writer this process shares). */
export function appendGitLog(file: string, entry: GitLogEntry): void {
  const w = openChain(file);
  w.append("push", "git-gate", entry as unknown as Record<string, unknown>);
  void releaseChain(w);
}

export function isGitLogEntry(v: unknown): v is GitLogEntry {
  const e = v as GitLogEntry | null;
  return !!e && typeof e === "object" && typeof e.at === "string" && typeof e.repo === "string" && Array.isArray(e.updates);
}

/** The pushes in JSON-lines text: chain records of kind push, and a pre-chain log's plain lines. */
export function parseGitLogText(text: string): GitLogEntry[] {
  const out: GitLogEntry[] = [];
  for (const v of parseJsonLines(text, (x): x is unknown => true)) {
    if (isChainRecord(v)) {
      if (v.kind === "push" && isGitLogEntry(v.data)) out.push(v.data);
    } else if (isGitLogEntry(v)) out.push(v);
  }
  return out;
}

/** Every push of a chain file (a torn last line is skipped); [] when it does not exist. */
export function readGitLog(file: string): GitLogEntry[] {
  return existsSync(file) ? parseGitLogText(readFileSync(file, "utf8")) : [];
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
