// The session holder's scripts, run by a real sh with a fake `dtach` that
// records its arguments and runs the session command: exit codes come back
// through the exit file, a missing dtach degrades to a plain run.
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NO_SESSION, rejoinArgv, sessionArgv, SESSION_DIR, viaShell } from "../../../src/backends/session-holder.ts";
import { tempDirs } from "../../helpers/tmp.ts";

const tempDir = tempDirs("bb-holder-");

/** Run argv with SESSION_DIR redirected into a temp dir and `dtach` faked (or absent). */
function runHolder(argv: string[], withDtach: boolean, endedWith?: number): { code: number; calls: string; dir: string } {
  const dir = tempDir();
  if (endedWith !== undefined) {
    mkdirSync(join(dir, "session"));
    writeFileSync(join(dir, "session", "exit"), `${endedWith}\n`);
  }
  const bin = join(dir, "bin");
  mkdirSync(bin);
  const calls = join(dir, "calls");
  writeFileSync(calls, "");
  if (withDtach) {
    // -A SOCK FLAGS… CMD…: run CMD (the flags are -E -z -r winch); -a SOCK …: nothing to join here.
    writeFileSync(join(bin, "dtach"), `#!/bin/sh\necho "$*" >> ${calls}\nif [ "$1" = -A ]; then shift 6; "$@"; fi\n`);
    chmodSync(join(bin, "dtach"), 0o755);
  }
  const script = argv.map((a) => a.replaceAll(SESSION_DIR, join(dir, "session")));
  const r = Bun.spawnSync(script, { env: { PATH: withDtach ? `${bin}:/usr/bin:/bin` : "/usr/bin:/bin" }, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode ?? -1, calls: readFileSync(calls, "utf8"), dir: join(dir, "session") };
}

describe("session holder", () => {
  test("a session runs the command under dtach and returns its exit code", () => {
    const r = runHolder(sessionArgv(["sh", "-c", "exit 7"]), true);
    expect(r.code).toBe(7);
    expect(r.calls).toMatch(/^-A \S+\/session\/sock -E -z -r winch sh -c /);
    expect(readFileSync(join(r.dir, "exit"), "utf8").trim()).toBe("7");
  });

  test("arguments with spaces and quotes reach the agent intact", () => {
    const out = tempDir();
    const r = runHolder(sessionArgv(["sh", "-c", 'printf "%s|" "$@" > ' + join(out, "args"), "x", "a b", "it's"]), true);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, "args"), "utf8")).toBe("a b|it's|");
  });

  test("without dtach the command still runs (it just cannot be rejoined)", () => {
    expect(runHolder(sessionArgv(["sh", "-c", "exit 4"]), false).code).toBe(4);
    expect(runHolder(rejoinArgv(), false).code).toBe(NO_SESSION);
  });

  test("rejoin with no session says so; after a session ended it reports the agent's code", () => {
    expect(runHolder(rejoinArgv(), true).code).toBe(NO_SESSION);
    const r = runHolder(rejoinArgv(), true, 9);
    expect(r.code).toBe(9);
    expect(r.calls).toBe(""); // no socket: nothing to join, only the code to report
  });

  test("viaShell: not found is 127, not executable 126, the command's own code and arguments pass through", () => {
    const run = (cmd: string[]) => Bun.spawnSync(viaShell(cmd), { env: { PATH: "/usr/bin:/bin" }, stdout: "pipe", stderr: "pipe" });
    expect(run(["no-such-command-here"]).exitCode).toBe(127);
    expect(run(["/etc/passwd"]).exitCode).toBe(126);
    expect(run(["sh", "-c", "exit 5"]).exitCode).toBe(5);
    expect(run(["printf", "%s|", "a b", "$HOME", "it's"]).stdout.toString()).toBe("a b|$HOME|it's|");
  });
});
