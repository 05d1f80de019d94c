// The host side of a harvest against real git repos: a "bottle" here is a
// clone on disk and the driver runs the export command locally, the way the
// bottle would. Covers re-harvest, fast-forward, divergence (-N), the
// operator's own refs, hostile branch names and bundles, and failures.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BackendDriver, CollectOptions } from "../../../src/backends/types.ts";
import { harvestBottle } from "../../../src/lifecycle/harvest.ts";
import { gitLaunchBase } from "../../../src/lifecycle/harvest-base.ts";
import type { BottlePlan } from "../../../src/plan/types.ts";
import { openDb } from "../../../src/state/db.ts";
import { recordBottle } from "../../../src/state/bottles.ts";
import { getHarvest, setLaunchBase } from "../../../src/state/harvests.ts";
import { BottleError } from "../../../src/util/errors.ts";
import { GIT_ENV } from "../../helpers/git.ts";
import { testPlan } from "../../helpers/plan.ts";

const ENV = { ...process.env, ...GIT_ENV };
function git(cwd: string, ...args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd, env: ENV, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.toString().trim();
}

/** Runs the bottle-side command on the local "bottle" folder; `hijack` replaces its output (a hostile bottle). */
class LocalDriver {
  gone = false;
  hijack?: (o: CollectOptions) => { code: number; stderr: string };
  async collect(_plan: BottlePlan, argv: string[], o: CollectOptions) {
    if (this.gone) return null;
    if (this.hijack) return this.hijack(o);
    const p = Bun.spawnSync(argv, { env: ENV, stdin: o.input ? new Blob([o.input]) : "ignore", stdout: Bun.file(o.out), stderr: "pipe" });
    return { code: p.exitCode ?? 1, stderr: p.stderr.toString() };
  }
}

let tmp: string;
let host: string;
let bottle: string;
let plan: BottlePlan;
let db: ReturnType<typeof openDb>;
let driver: LocalDriver;
const env = () => ({ XDG_STATE_HOME: join(tmp, "state") });
const harvest = () => harvestBottle(db, plan, driver as unknown as BackendDriver, { env: env(), warn: (m) => warnings.push(m) });
let warnings: string[] = [];
const P = () => `bot-bottle/${plan.identity}`;

beforeEach(async () => {
  tmp = mkdtempSync(join(tmpdir(), "bb-harvest-"));
  host = join(tmp, "host");
  bottle = join(tmp, "bottle");
  git(tmp, "init", "-q", "-b", "main", host);
  writeFileSync(join(host, "a"), "1\n");
  git(host, "add", "-A");
  git(host, "commit", "-qm", "host 1");
  git(tmp, "clone", "-q", host, bottle);
  plan = await testPlan();
  plan.cwd = host;
  plan.workdir = bottle;
  db = openDb(":memory:");
  recordBottle(db, plan);
  setLaunchBase(db, plan.identity, await gitLaunchBase(plan, undefined, join(tmp, "scratch")));
  driver = new LocalDriver();
  warnings = [];
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const hostRefs = () => git(host, "for-each-ref", "--format=%(refname:short) %(objectname)").split("\n").sort();

describe("harvestBottle (real git, local bottle)", () => {
  test("nothing done: nothing new, no refs", async () => {
    const r = await harvest();
    expect(r.refs).toEqual([]);
    expect(r.wip).toBeNull();
    expect(hostRefs().length).toBe(1);
  });

  test("commits, re-harvest, fast-forward, and divergence keep every tip; the operator's refs never move", async () => {
    writeFileSync(join(bottle, "a"), "2\n");
    git(bottle, "commit", "-qam", "agent 1");
    const mainBefore = git(host, "rev-parse", "main");
    let r = await harvest();
    expect(r.refs.map((x) => [x.name, x.status, x.commits])).toEqual([[`${P()}/main`, "created", 1]]);
    expect(r.primary).toBe(`${P()}/main`);
    expect(r.files).toBe(1);
    r = await harvest();
    expect(r.refs.map((x) => x.status)).toEqual(["unchanged"]);
    git(bottle, "commit", "-q", "--allow-empty", "-m", "agent 2");
    r = await harvest();
    expect(r.refs.map((x) => [x.status, x.commits])).toEqual([["moved", 1]]);
    // The operator moves our ref elsewhere; the bottle keeps going: the new tip lands on main-1.
    const mine = git(host, "commit-tree", git(host, "rev-parse", "main^{tree}"), "-m", "operator's");
    git(host, "update-ref", `refs/heads/${P()}/main`, mine);
    git(bottle, "commit", "-q", "--allow-empty", "-m", "agent 3");
    r = await harvest();
    expect(r.refs.map((x) => [x.name, x.status])).toEqual([[`${P()}/main-1`, "diverged"]]);
    expect(git(host, "rev-parse", `${P()}/main`)).toBe(mine);
    expect(git(host, "rev-parse", "main")).toBe(mainBefore);
  });

  test("uncommitted work becomes wip on top of the bottle's HEAD", async () => {
    writeFileSync(join(bottle, "new"), "n\n");
    const r = await harvest();
    expect(r.wip?.name).toBe(`${P()}/wip`);
    expect(git(host, "rev-parse", `${P()}/wip^`)).toBe(git(host, "rev-parse", "main"));
    expect(git(host, "show", `${P()}/wip:new`)).toBe("n");
    expect(git(bottle, "status", "--porcelain")).toBe("?? new");
  });

  test("a branch name bot-bottle does not copy is skipped with a warning", async () => {
    git(bottle, "commit", "-q", "--allow-empty", "-m", "x");
    git(bottle, "update-ref", "refs/heads/-rf", "HEAD");
    const r = await harvest();
    expect(r.refs.map((x) => x.branch)).toEqual(["main"]);
    expect(warnings.join("\n")).toContain('"-rf"');
  });

  test("a hostile bundle cannot write outside our prefix or tags, and a corrupt one is an error that keeps the export", async () => {
    // A bundle the bottle crafted: refs/tags and refs/remotes entries are ignored; a heads entry lands under our prefix.
    git(bottle, "commit", "-q", "--allow-empty", "-m", "evil");
    git(bottle, "tag", "v9");
    const crafted = join(tmp, "crafted.bundle");
    git(bottle, "bundle", "create", "-q", crafted, "refs/heads/main", "refs/tags/v9", "^" + git(host, "rev-parse", "main"));
    const meta = `bot-bottle-harvest: head ${git(bottle, "rev-parse", "HEAD")} refs/heads/main\nbot-bottle-harvest: bundle\n`;
    driver.hijack = (o) => {
      writeFileSync(o.out, readFileSync(crafted));
      return { code: 0, stderr: meta };
    };
    await harvest();
    expect(hostRefs().map((l) => l.split(" ")[0])).toEqual([`${P()}/main`, "main"]);
    driver.hijack = (o) => {
      writeFileSync(o.out, "# v2 git bundle\nnot a bundle at all\n");
      return { code: 0, stderr: meta };
    };
    const err = await harvest().catch((e) => e);
    expect((err as BottleError).code).toBe("HARVEST");
    expect(getHarvest(db, plan.identity)!.status).toBe("failed");
    expect(existsSync(join(tmp, "state/bot-bottle/bottles", plan.identity, "harvest/export.bundle"))).toBe(true);
  });

  test("the host repo gone: an error with the fix, the export kept; once back, the kept export comes home from a gone bottle", async () => {
    git(bottle, "commit", "-q", "--allow-empty", "-m", "agent");
    renameSync(host, `${host}.away`);
    const err = (await harvest().catch((e) => e)) as BottleError;
    expect(err.code).toBe("HARVEST");
    expect(err.message).toContain("is gone");
    expect(err.hint).toContain(`bot-bottle harvest ${plan.identity}`);
    renameSync(`${host}.away`, host);
    driver.gone = true;
    const r = await harvest();
    expect(r.refs.map((x) => x.status)).toEqual(["created"]);
    expect(getHarvest(db, plan.identity)!.status).toBe("ok");
  });

  test("an export that would fill the host's disk is stopped: partial file removed, a HARVEST failure with the fix, then it comes home once there is room", async () => {
    git(bottle, "commit", "-q", "--allow-empty", "-m", "agent");
    // A bottle that writes without end; the disk "fills" as the export grows.
    driver.hijack = undefined;
    const flood = async (_p: BottlePlan, _argv: string[], o: CollectOptions) => {
      const p = Bun.spawn(["sh", "-c", "while :; do head -c 65536 /dev/zero; done"], { stdout: Bun.file(o.out), signal: o.signal });
      return { code: await p.exited, stderr: "" };
    };
    const real = driver.collect.bind(driver);
    driver.collect = flood as typeof driver.collect;
    let out = "";
    const probe = (dir: string) => {
      out = join(dir, "export.bundle.part");
      const used = existsSync(out) ? Bun.file(out).size : 0;
      return { available: 5 * 1024 ** 3 - used * 4096, total: 100 * 1024 ** 3 };
    };
    const err = (await harvestBottle(db, plan, driver as unknown as BackendDriver, { env: env(), diskProbe: probe }).catch((e) => e)) as BottleError;
    expect(err).toBeInstanceOf(BottleError);
    expect(err.code).toBe("HARVEST");
    expect(err.message).toContain("was stopped");
    expect(err.message).toContain("under the 2.0 GiB an export always leaves");
    expect(err.hint).toContain(`bot-bottle harvest ${plan.identity}`);
    expect(existsSync(out)).toBe(false);
    expect(getHarvest(db, plan.identity)!.status).toBe("failed");
    driver.collect = real;
    const r = await harvestBottle(db, plan, driver as unknown as BackendDriver, { env: env(), diskProbe: () => ({ available: 50 * 1024 ** 3, total: 100 * 1024 ** 3 }) });
    expect(r.refs.map((x) => x.status)).toEqual(["created"]);
    expect(getHarvest(db, plan.identity)!.status).toBe("ok");
  });

  test("a snapshot the bottle breaks (a corrupt index) still brings the branches home, and is a failure naming why", async () => {
    git(bottle, "commit", "-q", "--allow-empty", "-m", "committed");
    writeFileSync(join(bottle, "loose"), "uncommitted\n");
    writeFileSync(join(bottle, ".git/index"), "garbage, not an index");
    const err = (await harvest().catch((e) => e)) as BottleError;
    expect(err.code).toBe("HARVEST");
    expect(err.message).toContain("could not be snapshotted");
    expect(err.message).toContain(`its branches came home: ${P()}/main`);
    expect(git(host, "log", "-1", "--format=%s", `${P()}/main`)).toBe("committed");
    expect(getHarvest(db, plan.identity)!.status).toBe("failed");
  });

  test("the host's uncommitted changes copied in at launch are not the agent's work", async () => {
    writeFileSync(join(host, "a"), "host edit\n");
    setLaunchBase(db, plan.identity, await gitLaunchBase(plan, undefined, join(tmp, "scratch")));
    writeFileSync(join(bottle, "a"), "host edit\n");
    expect((await harvest()).wip).toBeNull();
    expect(git(host, "status", "--porcelain")).toBe("M a");
  });
});
