// Run the real CLI (src/main.ts under the same bun) as a child process, the
// way an operator would, with a test's own XDG dirs and env.
import { join } from "node:path";
import { run, type RunResult } from "../../src/util/run.ts";

export const REPO_ROOT = join(import.meta.dir, "..", "..");
export const MAIN = join(REPO_ROOT, "src", "main.ts");

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

export async function cli(args: string[], opts: CliOptions = {}): Promise<RunResult> {
  return run([process.execPath, MAIN, ...args], {
    cwd: opts.cwd,
    // CI has no stdin and no TTY: make the CLI behave the same way locally.
    env: { CI: "true", NO_COLOR: "1", ...opts.env },
    timeoutMs: opts.timeoutMs ?? 300_000,
  });
}

/** One readable block for assertion messages. */
export function describeRun(r: RunResult): string {
  return `$ ${r.argv.slice(2).join(" ")}\nexit ${r.code}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
}
