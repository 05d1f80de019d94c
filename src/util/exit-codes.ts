// The exit codes bot-bottle promises (docs/cli.md "Exit codes"). `run`, `exec`
// and `resume` exit with the agent's own code, so, like `docker run`, their
// own failures use codes an agent rarely picks.
export const EXIT = {
  OK: 0,
  /** Any other command: a runtime failure. */
  RUNTIME: 1,
  /** Any other command: usage, manifest or environment error. */
  USAGE: 2,
  /** The bottle was stopped by `bot-bottle stop` while attached; it is kept and resumable. */
  STOPPED: 124,
  /** run/exec/resume: bot-bottle itself failed (usage, manifest, engine, …); the agent never ran or its bottle broke. */
  FAILED: 125,
  /** run/exec/resume: the command exists but cannot be invoked (not executable). */
  CANNOT_INVOKE: 126,
  /** run/exec/resume: the command was not found in the bottle. */
  NOT_FOUND: 127,
} as const;

export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
