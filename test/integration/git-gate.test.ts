// The git gate with a real git client against a bare repo standing in for the
// real remote (file://). No docker needed: the gate runs on loopback.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGitGate } from "../../src/bundle/git-gate/server.ts";
import { readGitLog } from "../../src/bundle/git-gate/log.ts";
import type { Daemon } from "../../src/bundle/config.ts";
import { git, gitHas } from "../helpers/git.ts";


const hasGitDaemon = gitHas("git gate integration tests", ["git-daemon"]);


describe.skipIf(!hasGitDaemon)("git gate (file:// remote)", () => {
  let root: string;
  let gate: Daemon;
  let remote: string;
  let clone: string;
  let url: string;
  const slug = "dev-abc123";

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "bb-gate-"));
    remote = join(root, "remote.git");
    const seed = join(root, "seed");
    expect((await git(root, "init", "-q", "--bare", "-b", "main", remote)).code).toBe(0);
    expect((await git(root, "init", "-q", "-b", "main", seed)).code).toBe(0);
    await Bun.write(join(seed, "README"), "hello\n");
    await git(seed, "add", "README");
    await git(seed, "commit", "-qm", "seed");
    expect((await git(seed, "push", "-q", remote, "main")).code).toBe(0);
    gate = await startGitGate(
      {
        listen: "127.0.0.1:0",
        dir: join(root, "gate"),
        auditLog: join(root, "git-gate.jsonl"),
        repos: [{ name: "origin", url: `file://${remote}`, push: [`bot-bottle/${slug}/*`], allowForce: false, allowDelete: false }],
      },
      {},
      { log: () => {} },
    );
    url = `git://127.0.0.1:${gate.address.port}/origin.git`;
    clone = join(root, "clone");
    const c = await git(root, "clone", "-q", url, clone);
    expect(c.code).toBe(0);
  });

  afterAll(async () => {
    await gate?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test("clone checks out the remote's default branch", async () => {
    expect(await Bun.file(join(clone, "README")).text()).toBe("hello\n");
    expect((await git(clone, "rev-parse", "--abbrev-ref", "HEAD")).out.trim()).toBe("main");
  });

  test("a push to an allowed branch arrives at the real remote", async () => {
    await Bun.write(join(clone, "work.txt"), "work\n");
    await git(clone, "add", "work.txt");
    await git(clone, "commit", "-qm", "work");
    const p = await git(clone, "push", "origin", `HEAD:bot-bottle/${slug}/feature`);
    expect(p.code).toBe(0);
    expect(p.out).toContain("forwarded to origin");
    const head = (await git(clone, "rev-parse", "HEAD")).out.trim();
    const there = await git(root, "--git-dir", remote, "rev-parse", `refs/heads/bot-bottle/${slug}/feature`);
    expect(there.out.trim()).toBe(head);
  });

  test("a push to main is refused with the allowed patterns named", async () => {
    const before = (await git(root, "--git-dir", remote, "rev-parse", "main")).out.trim();
    const p = await git(clone, "push", "origin", "HEAD:main");
    expect(p.code).not.toBe(0);
    expect(p.out).toContain("remote: bot-bottle git gate: push refused.");
    expect(p.out).toContain("refs/heads/main is outside the allowed refs");
    expect(p.out).toContain(`Allowed refs: refs/heads/bot-bottle/${slug}/*`);
    expect((await git(root, "--git-dir", remote, "rev-parse", "main")).out.trim()).toBe(before);
  });

  test("a force push is refused and the remote keeps its commit", async () => {
    const ref = `refs/heads/bot-bottle/${slug}/feature`;
    const before = (await git(root, "--git-dir", remote, "rev-parse", ref)).out.trim();
    await git(clone, "commit", "-q", "--amend", "-m", "rewritten");
    const p = await git(clone, "push", "--force", "origin", `HEAD:bot-bottle/${slug}/feature`);
    expect(p.code).not.toBe(0);
    expect(p.out).toContain("non-fast-forward (force) pushes are not allowed");
    expect((await git(root, "--git-dir", remote, "rev-parse", ref)).out.trim()).toBe(before);
  });

  test("a delete is refused", async () => {
    const p = await git(clone, "push", "origin", `:bot-bottle/${slug}/feature`);
    expect(p.code).not.toBe(0);
    expect(p.out).toContain("deleting refs/heads/bot-bottle/" + slug + "/feature is not allowed");
    expect((await git(root, "--git-dir", remote, "rev-parse", "--verify", "-q", `refs/heads/bot-bottle/${slug}/feature`)).code).toBe(0);
  });

  test("fetch serves commits pushed to the remote by others", async () => {
    const other = join(root, "other");
    await git(root, "clone", "-q", remote, other);
    await Bun.write(join(other, "upstream.txt"), "x\n");
    await git(other, "add", "upstream.txt");
    await git(other, "commit", "-qm", "upstream");
    expect((await git(other, "push", "-q", "origin", "main")).code).toBe(0);
    const want = (await git(other, "rev-parse", "HEAD")).out.trim();
    expect((await git(clone, "fetch", "-q", "origin")).code).toBe(0);
    expect((await git(clone, "rev-parse", "origin/main")).out.trim()).toBe(want);
  });

  test("every push attempt is in the log", () => {
    const log = readGitLog(join(root, "git-gate.jsonl"));
    expect(log.map((e) => e.result)).toEqual(["accepted", "refused", "refused", "refused"]);
    expect(log.map((e) => e.updates[0]!.kind)).toEqual(["create", "update", "force", "delete"]);
    expect(log[1]!.updates[0]!.ref).toBe("refs/heads/main");
  });
});
