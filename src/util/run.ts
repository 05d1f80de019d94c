// The one place that spawns processes (with stream.ts, its live-output
// sibling; test/unit/architecture.test.ts holds every other file to it).
// Wrappers (docker.ts, smolvm.ts, crane.ts) build argv with pure functions and
// hand it here, so tests can assert argv and substitute a Runner.
import type { Subprocess } from "bun";
import { spawn as spawnChild } from "node:child_process";
import { BottleError, type ErrorCode } from "./errors.ts";
import { trackChild } from "./children.ts";

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Data written to the child's stdin (then closed). */
  stdin?: string | Uint8Array;
  /** Inherit the parent's stdio (interactive attach). stdout/stderr are then "". */
  inherit?: boolean;
  /** Write the child's stdout to this file instead of capturing it (a tarball to copy). */
  stdoutFile?: string;
  timeoutMs?: number;
  /** Aborting it kills the child (SIGTERM): a caller watching what the child writes can stop it. */
  signal?: AbortSignal;
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
      stdout: opts.inherit ? "inherit" : opts.stdoutFile ? Bun.file(opts.stdoutFile) : "pipe",
      stderr: opts.inherit ? "inherit" : "pipe",
      timeout: opts.timeoutMs,
      signal: opts.signal,
    });
    // An attached terminal gets the operator's own Ctrl-C; everything else is interrupted on a signal.
    if (!opts.inherit) trackChild(proc);
  } catch (e) {
    throw cannotStart(argv, e);
  }
  const [stdout, stderr, code] = await Promise.all([
    opts.inherit || opts.stdoutFile ? "" : new Response(proc.stdout as ReadableStream).text(),
    opts.inherit ? "" : boundedText(proc.stderr as ReadableStream<Uint8Array>),
    proc.exited,
  ]);
  return { argv, code, stdout, stderr };
};

/** Most stderr bytes kept: its start and its end (where tools put the error), each half of this. */
export const STDERR_KEEP = 1024 * 1024;

/**
 * A stream's text with at most `keep` bytes held: the first and the last half,
 * with a marker between. Some children run code the bottle controls (a harvest
 * export, an exec): a flood of stderr must not exhaust the CLI's memory.
 */
export async function boundedText(stream: ReadableStream<Uint8Array>, keep = STDERR_KEEP): Promise<string> {
  const b = new BoundedBytes(keep);
  for await (const chunk of stream) b.push(chunk);
  return b.text();
}

/** boundedText's holder, fed chunk by chunk (output that arrives in frames: the engine's exec streams). */
export class BoundedBytes {
  private readonly half: number;
  private head: Uint8Array[] = [];
  private headLen = 0;
  private tail: Uint8Array[] = [];
  private tailLen = 0;
  private dropped = 0;

  constructor(keep = STDERR_KEEP) {
    this.half = Math.floor(keep / 2);
  }

  push(chunk: Uint8Array): void {
    let c = chunk;
    if (this.headLen < this.half) {
      const take = c.subarray(0, this.half - this.headLen);
      this.head.push(take);
      this.headLen += take.length;
      c = c.subarray(take.length);
    }
    if (!c.length) return;
    this.tail.push(c);
    this.tailLen += c.length;
    // Trim the tail back to `half` only when it is well past it, so a stream of small chunks is not quadratic.
    if (this.tailLen > 2 * this.half) this.trim();
  }

  private trim(): void {
    const all = Buffer.concat(this.tail, this.tailLen);
    this.dropped += all.length - this.half;
    this.tail = [all.subarray(all.length - this.half)];
    this.tailLen = this.half;
  }

  text(): string {
    if (this.tailLen > this.half) this.trim();
    const text = (parts: Uint8Array[]) => Buffer.concat(parts).toString("utf8");
    return this.dropped ? `${text(this.head)}\n[… ${this.dropped} bytes left out …]\n${text(this.tail)}` : text([...this.head, ...this.tail]);
  }
}

function cannotStart(argv: string[], e: unknown): BottleError {
  return new BottleError("INTERNAL", `cannot start ${argv[0]}: ${(e as Error).message}`, { hint: `install ${argv[0]} or put it on PATH`, cause: e });
}

/** `first | second` without holding the data: both exit codes and both stderrs (`tar -c … | docker cp - …`). */
export async function runPipe(first: string[], second: string[]): Promise<{ codes: [number, number]; stderr: [string, string] }> {
  let a: Subprocess<"ignore", "pipe", "pipe">;
  let b: Subprocess<ReadableStream<Uint8Array>, "pipe", "pipe">;
  try {
    a = Bun.spawn(first, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  } catch (e) {
    throw cannotStart(first, e);
  }
  try {
    b = Bun.spawn(second, { stdin: a.stdout, stdout: "pipe", stderr: "pipe" });
  } catch (e) {
    a.kill();
    throw cannotStart(second, e);
  }
  const [ca, cb, ea, eb] = await Promise.all([a.exited, b.exited, boundedText(a.stderr), boundedText(b.stderr)]);
  return { codes: [ca, cb], stderr: [ea, eb] };
}

/** Synchronous, for the one answer needed outside any async flow (the version's git commit). */
export function runSync(argv: string[], opts: { cwd?: string } = {}): RunResult {
  const r = Bun.spawnSync(argv, { cwd: opts.cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return { argv, code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

export interface ChildOptions {
  env?: Record<string, string | undefined>;
  /** "pipe" to read it (readiness lines), or a file to append the child's log to. */
  stderr: "pipe" | "ignore" | { file: string };
}

/** A long-lived child the caller stops (git daemon, crane registry); env replaces process.env when given. */
export function startChild(argv: string[], opts: ChildOptions): Subprocess<"ignore", "ignore", "pipe" | "ignore"> {
  try {
    return Bun.spawn(argv, {
      stdin: "ignore",
      stdout: "ignore",
      stderr: typeof opts.stderr === "object" ? Bun.file(opts.stderr.file) : opts.stderr,
      env: opts.env as Record<string, string> | undefined,
    }) as Subprocess<"ignore", "ignore", "pipe" | "ignore">;
  } catch (e) {
    throw cannotStart(argv, e);
  }
}

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

/**
 * Start a process that outlives this one (own session: a Ctrl-C at the
 * terminal does not reach it), output discarded; nobody waits for it.
 */
export function spawnDetached(argv: string[]): void {
  if (argv.length === 0) throw new BottleError("INTERNAL", "spawnDetached() called with an empty argv");
  const child = spawnChild(argv[0]!, argv.slice(1), { detached: true, stdio: "ignore" });
  child.on("error", () => {}); // a missing program is the same as a failed removal: `gc` finishes it
  child.unref();
}

/** Does an executable exist on PATH? */
export function which(cmd: string): string | null {
  return Bun.which(cmd);
}
