// Run a shell over a generated script, for the per-shell tests.
export function runShell(argv: string[], input?: string): { code: number; out: string; err: string } {
  const r = Bun.spawnSync(argv, { stdin: input === undefined ? "ignore" : new TextEncoder().encode(input), stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode ?? -1, out: r.stdout.toString(), err: r.stderr.toString() };
}
