// The one place that spawns processes. Wrappers (docker.ts, smolvm.ts, crane.ts)
// build argv with pure functions and hand it here, so tests can assert argv and
// substitute a Runner.
import { BottleError, type ErrorCode } from "./errors.ts";

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Data written to the child's stdin (then closed). */
  stdin?: string | Uint8Array;
  /** Inherit the parent's stdio (interactive attach). stdout/stderr are then "". */
  inherit?: boolean;
  timeoutMs?: number;
}

export interface RunResult {
  argv: string[];
  code: number;
  stdout: string;
  stderr: string;
}

export type Runner = (argv: string[], opts?: RunOptions) => Promise<RunResult>;

export const run: Runner = async (argv, opts = {}) => {
  if (argv.length === 0) throw new BottleError("INTERNAL", "run() called with an empty argv");
  const env = opts.env ? mergeEnv(opts.env) : undefined;
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    proc = Bun.spawn(argv, {
      cwd: opts.cwd,
      env,
      stdin: opts.inherit ? "inherit" : opts.stdin !== undefined ? new Blob([opts.stdin]) : "ignore",
      stdout: opts.inherit ? "inherit" : "pipe",
      stderr: opts.inherit ? "inherit" : "pipe",
      timeout: opts.timeoutMs,
    });
  } catch (e) {
    throw new BottleError("INTERNAL", `cannot start ${argv[0]}: ${(e as Error).message}`, {
      hint: `install ${argv[0]} or put it on PATH`,
      cause: e,
    });
  }
  const [stdout, stderr, code] = await Promise.all([
    opts.inherit ? "" : new Response(proc.stdout as ReadableStream).text(),
    opts.inherit ? "" : new Response(proc.stderr as ReadableStream).text(),
    proc.exited,
  ]);
  return { argv, code, stdout, stderr };
};

/** Explicit undefined removes a variable; everything else overlays process.env. */
export function mergeEnv(overlay: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) out[k] = v;
  for (const [k, v] of Object.entries(overlay)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Run and throw a BottleError (with the tool's own stderr) on a non-zero exit. */
export async function runOk(
  runner: Runner,
  argv: string[],
  code: ErrorCode,
  opts: RunOptions & { hint?: string } = {},
): Promise<RunResult> {
  const res = await runner(argv, opts);
  if (res.code !== 0) {
    const detail = (res.stderr || res.stdout).trim().split("\n").slice(-3).join(" | ");
    throw new BottleError(code, `${argv.slice(0, 3).join(" ")} failed (exit ${res.code}): ${detail}`, {
      hint: opts.hint,
    });
  }
  return res;
}

/** Does an executable exist on PATH? */
export function which(cmd: string): string | null {
  return Bun.which(cmd);
}
