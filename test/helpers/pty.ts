// An interactive session for e2e tests: the real CLI under `script(1)`, which
// gives it a pseudo-terminal (what `launch` attaches to), with keystrokes
// written to its stdin and everything it drew collected.
import { MAIN } from "./cli.ts";

export interface PtySession {
  /** Everything written to the terminal so far (escape sequences included). */
  screen(): string;
  type(text: string): void;
  exited: Promise<number>;
  kill(): void;
}

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

export function cliInPty(args: string[], opts: { cwd: string; env: Record<string, string>; cols?: number; rows?: number }): PtySession {
  const cmd = `stty cols ${opts.cols ?? 120} rows ${opts.rows ?? 40}; exec ${[process.execPath, MAIN, ...args].map(q).join(" ")}`;
  // No CI/NO_COLOR here: the point is the operator's terminal.
  const proc = Bun.spawn(["script", "-qfec", cmd, "/dev/null"], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env, TERM: "xterm-256color", CI: "", NO_COLOR: "" },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  const dec = new TextDecoder();
  void (async () => {
    for await (const chunk of proc.stdout) out += dec.decode(chunk, { stream: true });
  })();
  return {
    screen: () => out,
    type(text) {
      proc.stdin.write(text);
      proc.stdin.flush();
    },
    exited: proc.exited,
    kill: () => proc.kill(),
  };
}
