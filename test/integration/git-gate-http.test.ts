// The git gate against an HTTPS-style remote that demands a token: a local
// `git http-backend` behind Bun.serve with Basic auth. The token lives only
// in the gate's environment; the agent's clone, the URLs and every file the
// gate writes must stay free of it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGitGate } from "../../src/bundle/git-gate/server.ts";
import { startHttpRemote } from "./git-gate-http-remote.ts";
import type { Daemon } from "../../src/bundle/config.ts";

const TOKEN = "ghp_" + "T0kenThatMustNeverLeakAnywhere0123456789";
const GIT_ENV = {
  GIT_AUTHOR_NAME: "agent",
  GIT_AUTHOR_EMAIL: "agent@bottle",
  GIT_COMMITTER_NAME: "agent",
  GIT_COMMITTER_EMAIL: "agent@bottle",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};
const execPath = Bun.which("git") ? Bun.spawnSync(["git", "--exec-path"]).stdout.toString().trim() : "";
const usable = !!execPath && existsSync(join(execPath, "git-daemon")) && existsSync(join(execPath, "git-http-backend"));
if (!usable) console.warn("skipping git gate HTTP test: git with git-daemon and git-http-backend is not installed");

async function git(cwd: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const p = Bun.spawn(["git", ...args], { cwd, env: { ...process.env, ...GIT_ENV }, stdout: "pipe", stderr: "pipe" });
  const [o, e, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out: o + e };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(f).isFile());
}

describe.skipIf(!usable)("git gate (HTTPS-style remote with a token)", () => {
  let root: string;
  let gate: Daemon;
  let server: ReturnType<typeof startHttpRemote>;
  const seen: { url: string; auth: string | null }[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "bb-gate-http-"));
    const seed = join(root, "seed");
    await git(root, "init", "-q", "--bare", "-b", "main", join(root, "served", "project.git"));
    await git(root, "init", "-q", "-b", "main", seed);
    await Bun.write(join(seed, "README"), "hello\n");
    await git(seed, "add", "README");
    await git(seed, "commit", "-qm", "seed");
    await git(seed, "push", "-q", join(root, "served", "project.git"), "main");
    server = startHttpRemote({ projectRoot: join(root, "served"), token: TOKEN, seen });
    gate = await startGitGate(
      {
        listen: "127.0.0.1:0",
        dir: join(root, "gate"),
        auditLog: join(root, "git-gate.jsonl"),
        repos: [
          {
            name: "origin",
            url: `http://127.0.0.1:${server.port}/project.git`,
            tokenEnv: "BOT_BOTTLE_GIT_TOKEN_0",
            push: ["bot-bottle/dev-x/*"],
            allowForce: false,
            allowDelete: false,
          },
        ],
      },
      { BOT_BOTTLE_GIT_TOKEN_0: TOKEN },
      { log: () => {} },
    );
  });

  afterAll(async () => {
    await gate?.close();
    server?.stop(true);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test("clone, commit and push through the gate reach the token-protected remote", async () => {
    const clone = join(root, "clone");
    expect((await git(root, "clone", "-q", `git://127.0.0.1:${gate.address.port}/origin.git`, clone)).code).toBe(0);
    await Bun.write(join(clone, "work.txt"), "work\n");
    await git(clone, "add", "work.txt");
    await git(clone, "commit", "-qm", "work");
    const p = await git(clone, "push", "origin", "HEAD:bot-bottle/dev-x/one");
    expect(p.code).toBe(0);
    const there = await git(root, "--git-dir", join(root, "served", "project.git"), "rev-parse", "refs/heads/bot-bottle/dev-x/one");
    expect(there.out.trim()).toBe((await git(clone, "rev-parse", "HEAD")).out.trim());
    // The remote saw authenticated requests, all with the token as a header, never in a URL.
    expect(seen.some((s) => s.auth !== null)).toBe(true);
    expect(seen.every((s) => !s.url.includes(TOKEN))).toBe(true);
  });

  test("the token is in no file of the gate or of the agent's clone", () => {
    const files = [...filesUnder(join(root, "gate")), ...filesUnder(join(root, "clone", ".git")), join(root, "git-gate.jsonl")];
    expect(files.length).toBeGreaterThan(10);
    const leaking = files.filter((f) => readFileSync(f).includes(TOKEN));
    expect(leaking).toEqual([]);
  });

  test("a gate without the token cannot start: the error says to check the credential", async () => {
    const err = await startGitGate(
      {
        listen: "127.0.0.1:0",
        dir: join(root, "gate-no-token"),
        auditLog: join(root, "no-token.jsonl"),
        repos: [{ name: "origin", url: `http://127.0.0.1:${server.port}/project.git`, tokenEnv: "UNSET_TOKEN", push: [], allowForce: false, allowDelete: false }],
      },
      {},
      { log: () => {} },
    ).catch((e: Error & { hint?: string }) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain("cannot fetch origin");
    expect((err as { hint?: string }).hint).toContain("credential");
  });
});
