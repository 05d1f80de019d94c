// Pure: what to do before bringing a bottle up.
//   --dry-run                 → print the plan, exit 0
//   --yes                     → go
//   a terminal                → print the plan, ask y/N (default No)
//   no terminal, `run`        → go: scripts and CI call `run`; the plan is still printed to stderr
//   no terminal, `launch`     → error: a session needs a terminal anyway
export type PreflightAction = "dry-run" | "ask" | "proceed" | "needs-terminal";

export function preflightAction(o: { mode: "launch" | "run"; yes: boolean; dryRun: boolean; interactive: boolean }): PreflightAction {
  if (o.dryRun) return "dry-run";
  if (o.mode === "launch" && !o.interactive) return "needs-terminal";
  if (o.yes) return "proceed";
  return o.interactive ? "ask" : "proceed";
}

/** y/yes (any case) is yes; everything else, including Enter, is no. */
export function isYes(answer: string): boolean {
  return /^\s*y(es)?\s*$/i.test(answer);
}
