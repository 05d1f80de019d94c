// A real git client for the git gate tests, isolated from the machine's git
// config, with a fixed identity.
import { existsSync } from "node:fs";
import { join } from "node:path";

export const GIT_ENV = {
  GIT_AUTHOR_NAME: "agent",
  GIT_AUTHOR_EMAIL: "agent@bottle",
  GIT_COMMITTER_NAME: "agent",
  GIT_COMMITTER_EMAIL: "agent@bottle",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

/** Are git and these helper programs (e.g. "git-daemon", "git-http-backend") installed? Prints why not. */
export function gitHas(what: string, programs: string[]): boolean {
  const execPath = Bun.which("git") ? Bun.spawnSync(["git", "--exec-path"]).stdout.toString().trim() : "";
  const ok = !!execPath && programs.every((p) => existsSync(join(execPath, p)));
  if (!ok) console.warn(`skipping ${what}: git with ${programs.join(" and ")} is not installed`);
  return ok;
}

/** Async on purpose: the gate's hooks call back into the test process. */
export async function git(cwd: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const p = Bun.spawn(["git", ...args], { cwd, env: { ...process.env, ...GIT_ENV }, stdout: "pipe", stderr: "pipe" });
  const [o, e, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out: o + e };
}

/** Synchronous command with stdout+stderr together. */
export function sh(argv: string[]): { code: number; out: string } {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() };
}
