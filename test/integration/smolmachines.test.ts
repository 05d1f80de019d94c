// The smolmachines backend through the real CLI, with a real bundle container
// and the fake smolvm + fake crane on PATH. The fake's machines are docker
// containers made from the packed image (FAKE_SMOLVM_DOCKER=1), so
// provisioning, the agent's env and its traffic through the bundle are real.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/util/run.ts";
import { describeRun } from "../helpers/cli.ts";
import { GIT_ENV } from "../helpers/git.ts";
import { requireDocker } from "../helpers/docker.ts";
import { sharedCacheHome } from "../helpers/tmp.ts";
import { testBottle, type TestBottle } from "../helpers/bottle.ts";
import { copyBoxManifest } from "../helpers/manifest.ts";
import { craneCalls, FAKES_DIR, machinesJson, smolvmCalls, verbOf, type RecordedCall } from "../fakes/smolvm-lib/testing.ts";

const hasDocker = await requireDocker("smolmachines integration");

const MANIFEST = copyBoxManifest(`
[bottles.box.env]
GREETING = "hello from the manifest"
TOKEN = "?a token for the agent"
`);

const AGENT = `+++
description = "smolmachines test agent"
+++
You are the smolmachines test agent.
`;

const TOKEN = "tok-s3cret-value-42";
// A version no other run uses: the pack cache key includes it, so the first launch here is a miss.
const VERSION = `0.8.${2000 + Math.floor(Math.random() * 7000)}`;

const SCRIPT = [
  "id -un",
  'echo "G=$GREETING"',
  'echo "T=$TOKEN"',
  "cat notes.txt",
  "stat -c %U /home/node/work/notes.txt",
  "stat -c %a /etc/bot-bottle/prompt.md",
  "cat /etc/bot-bottle/prompt.md",
  "test -s /etc/bot-bottle/ca.crt && echo ca-ok",
  // Denied by the allowlist before any lookup: the proxy answers 403 itself.
  "curl -sS -o /dev/null https://blocked.invalid/ 2>&1 || true",
  // Work for the harvest (a non-git folder: exported as files).
  "echo agent >> notes.txt",
  "exit 7",
].join("; ");

describe.skipIf(!hasDocker)("smolmachines backend (fake smolvm, real bundle)", () => {
  let bottle: TestBottle;
  let stateDir: string;
  const extraIds: string[] = [];

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), "bb-sm-fake-"));
    bottle = testBottle({
      prefix: "sm",
      manifest: MANIFEST,
      agents: { box: AGENT },
      files: { "notes.txt": "project file\n" },
      env: {
        PATH: `${FAKES_DIR}:${process.env.PATH}`,
        FAKE_BUN: process.execPath,
        FAKE_SMOLVM_DOCKER: "1",
        FAKE_SMOLVM_VERSION: VERSION,
        FAKE_SMOLVM_STATE: stateDir,
      },
    });
  });

  afterAll(async () => {
    if (!bottle) return;
    for (const id of extraIds) await bottle.cli(["rm", "--force", id], 60_000).catch(() => undefined);
    await bottle.cleanup();
    // Stand-in containers this test's fake made, if any survived a failure.
    const ids = (await run(["docker", "ps", "-aq", "--filter", `label=fake-smolvm.state=${stateDir}`])).stdout.split("\n").filter(Boolean);
    if (ids.length) await run(["docker", "rm", "-f", ...ids]);
    const cache = join(sharedCacheHome(), "bot-bottle", "smolmachines");
    for (const f of safeList(cache)) if (f.includes(`smolvm${VERSION}-`)) rmSync(join(cache, f), { force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  test("run: pack, bundle, machine, provisioning, exit code, full teardown", async () => {
    const r = await bottle.cli(["run", "box", "--name", bottle.id, "--backend", "smolmachines", "--env", `TOKEN=${TOKEN}`, "--", "bash", "-lc", SCRIPT], 600_000);
    expect(r.code, describeRun(r)).toBe(7);
    const out = r.stdout;
    expect(out).toContain("node\n");
    expect(out).toContain("G=hello from the manifest");
    expect(out).toContain(`T=${TOKEN}`);
    expect(out).toContain("project file");
    expect(out).toMatch(/\nnode\n600\n/);
    expect(out).toContain("You are the smolmachines test agent.");
    expect(out).toContain("ca-ok");
    expect(out).toContain("response 403");

    const calls = smolvmCalls(stateDir);
    const verbs = calls.map((c) => verbOf(c.argv));
    // The order that matters: pack before create, create → start → execs → stop → delete.
    const order = ["pack create", "machine create", "machine start", "machine exec", "machine stop", "machine delete"].map((v) => verbs.indexOf(v));
    expect(order.every((i) => i >= 0), verbs.join(", ")).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(verbs.lastIndexOf("machine exec")).toBeLessThan(verbs.indexOf("machine stop"));

    const name = `bot-bottle-${bottle.id}`;
    const create = calls.find((c) => verbOf(c.argv) === "machine create")!.argv;
    expect(create[2]).toBe(name); // 0.8.x: positional NAME
    expect(create[create.indexOf("--from") + 1]).toEndWith(".smolmachine.smolmachine");
    expect(create).toContain("--net");
    // The bundle: third address of its block (last octet 2 mod 8) in the subnet pool.
    expect(create[create.indexOf("--allow-cidr") + 1]).toMatch(/^10\.213\.\d+\.\d+\/32$/);
    expect(Number(create[create.indexOf("--allow-cidr") + 1]!.split("/")[0]!.split(".")[3]) % 8).toBe(2);
    expect(create.slice(-2)).toEqual(["-w", "/home/node/work"]);
    expect(calls.find((c) => verbOf(c.argv) === "machine delete")!.argv.slice(2)).toEqual([name, "-f"]);

    // The guest env on create and on EVERY exec; the secret by name only, its value in smolvm's env.
    const withEnv = calls.filter((c) => ["machine create", "machine exec"].includes(verbOf(c.argv)));
    expect(withEnv.length).toBeGreaterThanOrEqual(4);
    for (const c of withEnv) {
      expect(c.argv).toContain(`BOT_BOTTLE=${bottle.id}`);
      expect(c.argv).toContain("GREETING=hello from the manifest");
      expect(c.argv.some((a) => a.startsWith("HTTPS_PROXY=http://10."))).toBe(true);
      expect(c.argv).toContain("TOKEN");
      expect(c.argv.join(" ")).not.toContain(TOKEN);
      expect(c.env.TOKEN).toBe(TOKEN);
    }
    const agentExec = calls.filter((c) => verbOf(c.argv) === "machine exec" && c.argv.includes("-lc")).at(-1)!.argv;
    expect(agentExec).toContain("HOME=/home/node");
    expect(agentExec.slice(agentExec.indexOf("--") + 1, agentExec.indexOf("--") + 3)).toEqual(["setpriv", "--reuid=node"]);
    // The harvest ran in the machine before it was stopped, and exported the changed file.
    expect(r.stderr).toContain(`harvest: ${bottle.id}: 1 changed file exported`);
    const harvestExec = calls.findIndex((c) => verbOf(c.argv) === "machine exec" && c.argv.join(" ").includes("sha256sum"));
    expect(harvestExec).toBeGreaterThan(-1);
    expect(harvestExec).toBeLessThan(verbs.indexOf("machine stop"));

    await expectNothingLeft(bottle.id, stateDir);
  }, 900_000);

  test("second launch of the same image: cache hit, no pack, no push", async () => {
    const packsBefore = smolvmCalls(stateDir).filter((c) => verbOf(c.argv) === "pack create").length;
    const pushesBefore = craneCalls(stateDir).filter((c) => c.argv[0] === "push").length;
    expect([packsBefore, pushesBefore]).toEqual([1, 1]);
    const id2 = `${bottle.id}-b`;
    extraIds.push(id2);
    const r = await bottle.cli(["run", "box", "--name", id2, "--backend", "smolmachines", "--env", `TOKEN=${TOKEN}`, "--", "true"], 300_000);
    expect(r.code, describeRun(r)).toBe(0);
    expect(smolvmCalls(stateDir).filter((c) => verbOf(c.argv) === "pack create")).toHaveLength(packsBefore);
    expect(craneCalls(stateDir).filter((c) => c.argv[0] === "push")).toHaveLength(pushesBefore);
    expect(craneCalls(stateDir).filter((c) => c.argv[0] === "registry")).toHaveLength(1);
    await expectNothingLeft(id2, stateDir);
  }, 300_000);

  test("--keep, then resume and rm route to smolmachines by the recorded backend", async () => {
    const id3 = `${bottle.id}-k`;
    extraIds.push(id3);
    const kept = await bottle.cli(["run", "box", "--name", id3, "--backend", "smolmachines", "--keep", "--env", `TOKEN=${TOKEN}`, "--", "true"], 300_000);
    expect(kept.code, describeRun(kept)).toBe(0);
    expect(machinesJson(stateDir)[`bot-bottle-${id3}`]?.state).toBe("stopped");
    const ls = await bottle.cli(["ls", "--json"]);
    expect(JSON.parse(ls.stdout).find((b: any) => b.identity === id3)?.backend).toBe("smolmachines");

    // No --backend here: resume finds it in state. The secret is not stored; the machine still has it.
    const resumed = await bottle.cli(["resume", id3, "--", "bash", "-lc", 'echo "T=$TOKEN G=$GREETING"; exit 3'], 300_000);
    expect(resumed.code, describeRun(resumed)).toBe(3);
    expect(resumed.stdout).toContain(`T=${TOKEN} G=hello from the manifest`);
    const resumeCalls = smolvmCalls(stateDir).filter((c: RecordedCall) => c.argv.includes(`bot-bottle-${id3}`));
    expect(resumeCalls.filter((c) => verbOf(c.argv) === "machine start")).toHaveLength(2);

    const rm = await bottle.cli(["rm", "--force", id3], 120_000);
    expect(rm.code, describeRun(rm)).toBe(0);
    await expectNothingLeft(id3, stateDir);
  }, 600_000);
});

describe.skipIf(!hasDocker)("smolmachines: harvest of a git repo, also from a stopped machine (fake smolvm)", () => {
  let bottle: TestBottle;
  let stateDir: string;
  const git = (...args: string[]) => {
    const r = Bun.spawnSync(["git", ...args], { cwd: bottle.project, env: { ...process.env, ...GIT_ENV }, stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.toString().trim();
  };
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), "bb-sm-hv-"));
    bottle = testBottle({
      prefix: "smhv",
      manifest: MANIFEST,
      agents: { box: AGENT },
      files: { "a.txt": "a\n" },
      env: { PATH: `${FAKES_DIR}:${process.env.PATH}`, FAKE_BUN: process.execPath, FAKE_SMOLVM_DOCKER: "1", FAKE_SMOLVM_STATE: stateDir },
    });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-qm", "host");
  });
  afterAll(async () => {
    await bottle?.cleanup();
    const ids = (await run(["docker", "ps", "-aq", "--filter", `label=fake-smolvm.state=${stateDir}`])).stdout.split("\n").filter(Boolean);
    if (ids.length) await run(["docker", "rm", "-f", ...ids]);
    rmSync(stateDir, { recursive: true, force: true });
  }, 120_000);

  test("a failed harvest keeps the machine (stopped); harvest then brings the commit and wip home from it", async () => {
    const lockDir = join(bottle.project, ".git/refs/heads/bot-bottle", bottle.id);
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(join(lockDir, "main.lock"), "");
    const script = "export GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@b GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@b; echo b >> a.txt && git commit -qam 'agent in a VM' && echo w > w.txt";
    const r = await bottle.cli(["run", "box", "--name", bottle.id, "--backend", "smolmachines", "--env", `TOKEN=${TOKEN}`, "--", "bash", "-lc", script], 600_000);
    // run's own failures are 125 (its code space is the agent's); the bottle is kept, stopped.
    expect(r.code, describeRun(r)).toBe(125);
    expect(r.stderr).toContain("locked");
    expect(machinesJson(stateDir)[`bot-bottle-${bottle.id}`]?.state).toBe("stopped");
    rmSync(join(lockDir, "main.lock"));
    const before = smolvmCalls(stateDir).length;
    const h = await bottle.cli(["harvest", bottle.id, "--json"], 300_000);
    expect(h.code, describeRun(h)).toBe(0);
    expect(JSON.parse(h.stdout).harvest.wip.ref).toBe(`bot-bottle/${bottle.id}/wip`);
    expect(git("log", "-1", "--format=%s", `bot-bottle/${bottle.id}/main`)).toBe("agent in a VM");
    expect(git("show", `bot-bottle/${bottle.id}/wip:w.txt`)).toBe("w");
    // Started for the harvest, stopped again.
    const verbs = smolvmCalls(stateDir).slice(before).map((c) => verbOf(c.argv));
    expect(verbs.filter((v) => v === "machine start" || v === "machine exec" || v === "machine stop")).toEqual(["machine start", "machine exec", "machine stop"]);
    expect(machinesJson(stateDir)[`bot-bottle-${bottle.id}`]?.state).toBe("stopped");
    const rm = await bottle.cli(["rm", bottle.id], 120_000);
    expect(rm.code, describeRun(rm)).toBe(0);
    await expectNothingLeft(bottle.id, stateDir);
  }, 900_000);
});

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function expectNothingLeft(identity: string, stateDir: string): Promise<void> {
  expect(machinesJson(stateDir)[`bot-bottle-${identity}`]).toBeUndefined();
  const filter = ["--filter", `label=bot-bottle.identity=${identity}`];
  expect((await run(["docker", "ps", "-aq", ...filter])).stdout.trim()).toBe("");
  expect((await run(["docker", "network", "ls", "-q", ...filter])).stdout.trim()).toBe("");
  const standins = (await run(["docker", "ps", "-a", "--format", "{{.Names}}", "--filter", `label=fake-smolvm.state=${stateDir}`])).stdout;
  expect(standins).not.toContain(identity);
}
