// The git gate with an SSH remote: a fake `ssh` on PATH records how it was
// called and runs the git command locally, standing in for a real server.
// Shows the mounted key reaches ssh (and only ssh) for fetches and forwards.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGitGate } from "../../src/bundle/git-gate/server.ts";
import type { Daemon } from "../../src/bundle/config.ts";
import { git, gitHas } from "../helpers/git.ts";

const usable = gitHas("git gate SSH test", ["git-daemon"]);


describe.skipIf(!usable)("git gate (SSH remote)", () => {
  let root = "";
  let calls = "";
  const savedPath = process.env.PATH;
  let gate: Daemon;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "bb-gate-ssh-"));
    calls = join(root, "ssh-calls.log");
    const bin = join(root, "bin");
    mkdirSync(bin);
    // Fake ssh: log argv, then run the remote command (the last argument) here.
    writeFileSync(join(bin, "ssh"), `#!/bin/sh\necho "$*" >> '${calls}'\nfor last; do :; done\nexec sh -c "$last"\n`);
    chmodSync(join(bin, "ssh"), 0o755);
    process.env.PATH = `${bin}:${savedPath}`;
    const remote = join(root, "remote.git");
    const seed = join(root, "seed");
    await git(root, "init", "-q", "--bare", "-b", "main", remote);
    await git(root, "init", "-q", "-b", "main", seed);
    await Bun.write(join(seed, "README"), "over ssh\n");
    await git(seed, "add", "README");
    await git(seed, "commit", "-qm", "seed");
    await git(seed, "push", "-q", remote, "main");
    writeFileSync(join(root, "id_test"), "not a real key\n", { mode: 0o600 });
    gate = await startGitGate(
      {
        listen: "127.0.0.1:0",
        dir: join(root, "gate"),
        auditLog: join(root, "git-gate.jsonl"),
        repos: [
          { name: "origin", url: `ssh://git@git.example.test${remote}`, sshKeyFile: join(root, "id_test"), push: ["bot-bottle/s/*"], allowForce: false, allowDelete: false },
        ],
      },
      {},
      { log: () => {} },
    );
  });

  afterAll(async () => {
    await gate?.close();
    process.env.PATH = savedPath;
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test("fetch and forward go through ssh with the mounted key; the clone knows nothing of it", async () => {
    const clone = join(root, "clone");
    expect((await git(root, "clone", "-q", `git://127.0.0.1:${gate.address.port}/origin.git`, clone)).code).toBe(0);
    expect(await Bun.file(join(clone, "README")).text()).toBe("over ssh\n");
    await Bun.write(join(clone, "f"), "x\n");
    await git(clone, "add", "f");
    await git(clone, "commit", "-qm", "x");
    expect((await git(clone, "push", "origin", "HEAD:bot-bottle/s/one")).code).toBe(0);
    const remoteRef = await git(root, "--git-dir", join(root, "remote.git"), "rev-parse", "refs/heads/bot-bottle/s/one");
    expect(remoteRef.out.trim()).toBe((await git(clone, "rev-parse", "HEAD")).out.trim());

    const log = readFileSync(calls, "utf8").trim().split("\n");
    expect(log.some((l) => l.includes("git-upload-pack"))).toBe(true);
    expect(log.some((l) => l.includes("git-receive-pack"))).toBe(true);
    for (const l of log) {
      expect(l).toContain(`-i ${join(root, "id_test")}`);
      expect(l).toContain("IdentitiesOnly=yes");
      expect(l).toContain("git@git.example.test");
    }
    expect(readFileSync(join(clone, ".git", "config"), "utf8")).not.toContain("id_test");
  });
});
