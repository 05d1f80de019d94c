// Work comes home, on the real docker engine through the real CLI: an agent's
// branches, staged/unstaged/untracked changes reach the host repo as
// bot-bottle/<id>/… refs with the host's worktree, index, HEAD and reflogs
// untouched; rm refuses while work cannot come home; a kill -9'd CLI's bottle
// is still harvested by gc; a non-git folder round-trips through diff/apply.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { requireDocker } from "../helpers/docker.ts";
import { testBottle, type TestBottle } from "../helpers/bottle.ts";
import { describeRun } from "../helpers/cli.ts";
import { GIT_ENV } from "../helpers/git.ts";
import { pollUntil } from "../helpers/poll.ts";
import { copyBoxManifest } from "../helpers/manifest.ts";
import { buildCaFile } from "../helpers/images.ts";

const enabled = await requireDocker("harvest integration");

const MANIFEST = copyBoxManifest();
const AGENT = `+++
description = "harvest test agent"
+++
You are the harvest test agent.
`;

function git(cwd: string, ...args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd, env: { ...process.env, ...GIT_ENV }, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

/** Every byte the operator could care about: worktree files, index, HEAD, reflogs, their own refs, config. */
function snapshot(repo: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      const rel = relative(repo, p);
      if (e.isDirectory()) {
        if (rel === ".git/objects" || rel === ".git/refs/heads/bot-bottle") continue;
        walk(p);
      } else out[rel] = createHash("sha256").update(readFileSync(p)).digest("hex") + ":" + statSync(p).mode.toString(8);
    }
  };
  walk(repo);
  return out;
}

function initRepo(dir: string): void {
  git(dir, "init", "-q", "-b", "main");
  writeFileSync(join(dir, ".gitignore"), "ignored.txt\n");
  writeFileSync(join(dir, "a.txt"), "a\n");
  writeFileSync(join(dir, "tracked.txt"), "tracked\n");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "host: initial");
  git(dir, "branch", "host-only");
}

const AGENT_GIT = 'export GIT_AUTHOR_NAME=agent GIT_AUTHOR_EMAIL=agent@bottle GIT_COMMITTER_NAME=agent GIT_COMMITTER_EMAIL=agent@bottle; ';

describe.skipIf(!enabled)("harvest on docker (real engine, real CLI)", () => {
  let b: TestBottle;
  beforeAll(() => {
    b = testBottle({ prefix: "hv", manifest: MANIFEST, agents: { box: AGENT }, files: { "notes.txt": "notes\n" } });
    initRepo(b.project);
    // An uncommitted host change: copied in, and never mistaken for the agent's work.
    writeFileSync(join(b.project, "notes.txt"), "notes, edited on the host\n");
  });
  afterAll(async () => {
    await b?.cleanup();
  }, 120_000);

  test("two branches, staged, unstaged and untracked work come home; the host is byte-for-byte unchanged", async () => {
    const before = snapshot(b.project);
    const script =
      AGENT_GIT +
      "set -e; echo agent >> a.txt; git commit -qam 'agent: main'; " +
      "git checkout -qb feature; echo f > f.txt; git add f.txt; git commit -qm 'agent: feature'; git checkout -q main; " +
      // A branch under the name the uncommitted-work snapshot takes: git cannot hold both wip and wip/x.
      "git branch wip/x feature; " +
      "echo staged > staged.txt; git add staged.txt; echo unstaged >> tracked.txt; echo untracked > untracked.txt; echo secret > ignored.txt";
    const r = await b.cli(["run", "box", "--name", b.id, "--yes", "--", "bash", "-c", script], 600_000);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stderr).toContain(`harvest: ${b.id}: harvested into`);
    const p = `bot-bottle/${b.id}`;
    const refs = git(b.project, "for-each-ref", "--format=%(refname:short)", `refs/heads/${p}/`).split("\n").sort();
    expect(refs).toEqual([`${p}/feature`, `${p}/main`, `${p}/wip`, `${p}/wip-1/x`]);
    expect(git(b.project, "rev-parse", `${p}/wip-1/x`)).toBe(git(b.project, "rev-parse", `${p}/feature`));
    expect(git(b.project, "log", "--format=%s", `${p}/main`).split("\n")).toEqual(["agent: main", "host: initial"]);
    expect(git(b.project, "show", `${p}/feature:f.txt`)).toBe("f");
    expect(git(b.project, "rev-parse", `${p}/wip^`)).toBe(git(b.project, "rev-parse", `${p}/main`));
    expect(git(b.project, "show", `${p}/wip:staged.txt`)).toBe("staged");
    expect(git(b.project, "show", `${p}/wip:tracked.txt`)).toBe("tracked\nunstaged");
    expect(git(b.project, "show", `${p}/wip:untracked.txt`)).toBe("untracked");
    expect(git(b.project, "show", `${p}/wip:notes.txt`)).toBe("notes, edited on the host");
    expect(() => git(b.project, "show", `${p}/wip:ignored.txt`)).toThrow();
    // Nothing else moved: worktree, index, HEAD, the operator's refs and every reflog.
    expect(snapshot(b.project)).toEqual(before);
    expect(existsSync(join(b.project, ".git/logs/refs/heads/bot-bottle"))).toBe(false);
    expect(existsSync(join(b.project, ".git/FETCH_HEAD"))).toBe(false);
  }, 700_000);

  test("harvest --json of the removed bottle reports the refs", async () => {
    const r = await b.cli(["harvest", b.id, "--json"]);
    expect(r.code, describeRun(r)).toBe(0);
    const j = JSON.parse(r.stdout).harvest;
    expect(j.refs.map((x: { ref: string }) => x.ref).sort()).toEqual([`bot-bottle/${b.id}/feature`, `bot-bottle/${b.id}/main`, `bot-bottle/${b.id}/wip-1/x`]);
    expect(j.wip.ref).toBe(`bot-bottle/${b.id}/wip`);
    expect(j.files).toBe(5);
  }, 120_000);

  test("diff shows the work against the launch commit; apply refuses on a dirty tree, then merges", async () => {
    const d = await b.cli(["diff", b.id, "--stat"]);
    expect(d.code, describeRun(d)).toBe(0);
    expect(d.stdout).toContain("untracked.txt");
    const dirty = await b.cli(["apply", b.id]);
    expect(dirty.code).toBe(1);
    expect(dirty.stderr).toContain("uncommitted changes");
    git(b.project, "checkout", "-q", "--", "notes.txt");
    const a = await b.cli(["apply", b.id]);
    expect(a.code, describeRun(a)).toBe(0);
    expect(readFileSync(join(b.project, "untracked.txt"), "utf8")).toBe("untracked\n");
    expect(git(b.project, "status", "--porcelain", "--untracked-files=no")).toBe("");
  }, 120_000);
});

describe.skipIf(!enabled)("nothing is lost without -f", () => {
  let b: TestBottle;
  beforeAll(() => {
    b = testBottle({ prefix: "hvrm", manifest: MANIFEST, agents: { box: AGENT } });
    initRepo(b.project);
  });
  afterAll(async () => {
    await b?.cleanup();
  }, 120_000);

  test("rm refuses while the host repo is locked, names what would be lost; harvest works on the stopped bottle; -f removes", async () => {
    const r = await b.cli(["run", "box", "--name", b.id, "--keep", "--yes", "--", "true"], 600_000);
    expect(r.code, describeRun(r)).toBe(0);
    const commit = async (msg: string) => {
      expect((await b.cli(["resume", b.id, "--detach"])).code).toBe(0);
      const e = await b.cli(["exec", b.id, "--", "bash", "-c", AGENT_GIT + `echo '${msg}' >> a.txt && git commit -qam '${msg}'`]);
      expect(e.code, describeRun(e)).toBe(0);
    };
    await commit("agent: more");
    const lockDir = join(b.project, ".git/refs/heads/bot-bottle", b.id);
    const lock = join(lockDir, "main.lock");
    Bun.spawnSync(["mkdir", "-p", lockDir]);
    writeFileSync(lock, "");
    // stop loses nothing: it stops, and reports the failed harvest.
    const stop = await b.cli(["stop", b.id]);
    expect(stop.code, describeRun(stop)).toBe(1);
    expect(stop.stderr).toContain("locked");
    const refused = await b.cli(["rm", b.id]);
    expect(refused.code, describeRun(refused)).toBe(1);
    expect(refused.stderr).toContain(`refusing to rm ${b.id}`);
    expect(refused.stderr).toContain("would lose branches main");
    expect(refused.stderr).toContain(`bot-bottle rm -f ${b.id}`);
    const ls = await b.cli(["ls", "--json"]);
    expect(JSON.parse(ls.stdout)[0].harvest.state).toBe("failed");
    // The lock goes: harvest brings it home from the stopped bottle, which stays stopped.
    rmSync(lock);
    const h = await b.cli(["harvest", b.id]);
    expect(h.code, describeRun(h)).toBe(0);
    expect(git(b.project, "log", "-1", "--format=%s", `bot-bottle/${b.id}/main`)).toBe("agent: more");
    expect(Bun.spawnSync(["docker", "inspect", "-f", "{{.State.Running}}", b.containers.agent]).stdout.toString().trim()).toBe("false");
    // More work, locked again: rm -f removes anyway.
    await commit("agent: again");
    writeFileSync(lock, "");
    const forced = await b.cli(["rm", "-f", b.id]);
    expect(forced.code, describeRun(forced)).toBe(0);
    expect(Bun.spawnSync(["docker", "inspect", b.containers.agent]).exitCode).not.toBe(0);
    rmSync(lock);
  }, 700_000);

  test("kill -9 of the CLI mid-run: gc still harvests before removing", async () => {
    const id = `${b.id}-k`;
    const ca = buildCaFile();
    const env = { ...process.env, ...b.home.env, ...(ca ? { BOT_BOTTLE_BUILD_CA: ca } : {}), CI: "true", NO_COLOR: "1" };
    const script = AGENT_GIT + "echo crash >> a.txt && git commit -qam 'agent: before the crash' && echo wip > wip.txt && touch /tmp/ready && sleep 600";
    const proc = Bun.spawn([process.execPath, join(import.meta.dir, "../../src/main.ts"), "run", "box", "--name", id, "--yes", "--", "bash", "-c", script], {
      cwd: b.project,
      env,
      stdout: "ignore",
      stderr: "ignore",
    });
    const agent = `bot-bottle-${id}-agent`;
    await pollUntil("the agent to commit", async () => (Bun.spawnSync(["docker", "exec", agent, "test", "-f", "/tmp/ready"]).exitCode === 0 ? true : undefined), {
      timeoutMs: 600_000,
      intervalMs: 500,
    });
    proc.kill(9);
    await proc.exited;
    const gc = await b.cli(["gc"]);
    expect(gc.code, describeRun(gc)).toBe(0);
    expect(gc.stderr).toContain(`harvest: ${id}`);
    expect(git(b.project, "log", "-1", "--format=%s", `bot-bottle/${id}/main`)).toBe("agent: before the crash");
    expect(git(b.project, "show", `bot-bottle/${id}/wip:wip.txt`)).toBe("wip");
    expect(Bun.spawnSync(["docker", "inspect", agent]).exitCode).not.toBe(0);
  }, 700_000);
});

describe.skipIf(!enabled)("a non-git folder: diff/apply round trip", () => {
  let b: TestBottle;
  beforeAll(() => {
    b = testBottle({ prefix: "hvf", manifest: MANIFEST, agents: { box: AGENT }, files: { "keep.txt": "keep\n", "edit.txt": "old\n", "gone.txt": "bye\n" } });
  });
  afterAll(async () => {
    await b?.cleanup();
  }, 120_000);

  test("changed, added and deleted files are exported, diffed, refused on conflict, then applied", async () => {
    const script = "set -e; echo new > edit.txt; mkdir -p sub; echo added > sub/added.txt; rm gone.txt";
    const r = await b.cli(["run", "box", "--name", b.id, "--yes", "--", "bash", "-c", script], 600_000);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stderr).toContain("3 changed files exported");
    const dj = await b.cli(["diff", b.id, "--json"]);
    expect(dj.code, describeRun(dj)).toBe(0);
    expect(JSON.parse(dj.stdout).files).toEqual([
      { path: "edit.txt", status: "changed" },
      { path: "gone.txt", status: "deleted" },
      { path: "sub/added.txt", status: "added" },
    ]);
    const d = await b.cli(["diff", b.id]);
    expect(d.stdout).toContain("-old\n+new");
    // rm refuses: the export has not been applied.
    const refused = await b.cli(["rm", b.id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("not applied");
    // A host edit since launch is a conflict: nothing is written.
    writeFileSync(join(b.project, "edit.txt"), "host edit\n");
    const c = await b.cli(["apply", b.id]);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain("edit.txt");
    expect(existsSync(join(b.project, "sub/added.txt"))).toBe(false);
    expect(existsSync(join(b.project, "gone.txt"))).toBe(true);
    writeFileSync(join(b.project, "edit.txt"), "old\n");
    const a = await b.cli(["apply", b.id]);
    expect(a.code, describeRun(a)).toBe(0);
    expect(readFileSync(join(b.project, "edit.txt"), "utf8")).toBe("new\n");
    expect(readFileSync(join(b.project, "sub/added.txt"), "utf8")).toBe("added\n");
    expect(existsSync(join(b.project, "gone.txt"))).toBe(false);
    expect(readFileSync(join(b.project, "keep.txt"), "utf8")).toBe("keep\n");
    const rm = await b.cli(["rm", b.id]);
    expect(rm.code, describeRun(rm)).toBe(0);
  }, 700_000);
});
