// Spawning with live output: the non-interactive agent run (shown to the
// operator AND kept as a transcript for `logs`) and image builds (progress).
// The Runner in util/run.ts buffers output, which is right for everything else.
import { appendFileSync } from "node:fs";
import { mergeEnv } from "./run.ts";
import { trackChild } from "./children.ts";
import { BottleError } from "./errors.ts";

export interface StreamOptions {
  env?: Record<string, string | undefined>;
  /** Append everything the child prints to this file as well. */
  teeFile?: string;
  /** Called per complete output line (stdout and stderr). */
  onLine?: (line: string) => void;
  /** Echo to our own stdout/stderr (default true). */
  echo?: boolean;
  stdin?: "inherit" | "ignore";
}

export type StreamRunner = (argv: string[], opts?: StreamOptions) => Promise<{ code: number; tail: string[] }>;

/** Run argv, forwarding output as it arrives; returns the exit code and the last lines. */
/** Longest line held before it is passed on unfinished. */
const MAX_LINE = 64 * 1024;

export const spawnStream: StreamRunner = async (argv, opts = {}) => {
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    proc = Bun.spawn(argv, {
      env: opts.env ? mergeEnv(opts.env) : undefined,
      stdin: opts.stdin ?? "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    trackChild(proc);
  } catch (e) {
    throw new BottleError("INTERNAL", `cannot start ${argv[0]}: ${(e as Error).message}`, { cause: e });
  }
  const tail: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>, out: NodeJS.WriteStream) => {
    const decoder = new TextDecoder();
    let partial = "";
    for await (const chunk of stream) {
      if (opts.echo !== false) out.write(chunk);
      if (opts.teeFile) appendFileSync(opts.teeFile, chunk);
      partial += decoder.decode(chunk, { stream: true });
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      // A line that never ends is cut into pieces: held text stays bounded (and splitting it linear).
      if (partial.length > MAX_LINE) {
        lines.push(partial);
        partial = "";
      }
      for (const l of lines) {
        opts.onLine?.(l);
        tail.push(l);
        if (tail.length > 20) tail.shift();
      }
    }
    if (partial) {
      opts.onLine?.(partial);
      tail.push(partial);
    }
  };
  const [, , code] = await Promise.all([
    pump(proc.stdout as ReadableStream<Uint8Array>, process.stdout),
    pump(proc.stderr as ReadableStream<Uint8Array>, process.stderr),
    proc.exited,
  ]);
  return { code, tail };
};
