// The git gate against an HTTPS-style remote that demands a token: a local
// `git http-backend` behind Bun.serve with Basic auth. The token lives only
// in the gate's environment; the agent's clone, the URLs and every file the
// gate writes must stay free of it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGitGate } from "../../src/bundle/git-gate/server.ts";
import { startHttpRemote } from "./git-gate-http-remote.ts";
import type { Daemon } from "../../src/bundle/config.ts";
import { git, gitHas } from "../helpers/git.ts";

const TOKEN = "ghp_" + "T0kenThatMustNeverLeakAnywhere0123456789";
const usable = gitHas("git gate HTTP test", ["git-daemon", "git-http-backend"]);


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
