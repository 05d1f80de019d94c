// Standing approvals: an operator who answers "approve always" approves every
// later request_approval whose action matches the pattern (a glob: `*` is any
// text; default: the action exactly). Kept in the supervise folder by the
// daemon (its only writer), read by the host for `bot-bottle policy`.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "./protocol.ts";

export const STANDING_FILE = "standing.json";

export interface StandingApproval {
  pattern: string;
  /** Request whose answer made it. */
  from: string;
  at: string;
  note: string;
}

/** Pure: does `action` match the glob `pattern` (whole string, `*` = any text, case-sensitive)? */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[\\s\\S]*")}$`);
  return re.test(action);
}

export function readStanding(dir: string): StandingApproval[] {
  const file = join(dir, STANDING_FILE);
  if (!existsSync(file)) return [];
  try {
    const v = JSON.parse(readFileSync(file, "utf8")) as unknown;
    return Array.isArray(v) ? v.filter((s): s is StandingApproval => !!s && typeof s.pattern === "string") : [];
  } catch {
    return [];
  }
}

export function addStanding(dir: string, s: StandingApproval): void {
  const all = readStanding(dir).filter((x) => x.pattern !== s.pattern);
  writeJsonAtomic(join(dir, STANDING_FILE), [...all, s]);
}

export function findStanding(dir: string, action: string): StandingApproval | undefined {
  return readStanding(dir).find((s) => actionMatches(s.pattern, action));
}
