#!/usr/bin/env bun
// Copy-in and harvest on a large repo, against plain git doing the same job,
// in one run on the same machine:
//
//   copy-in  = what a launch does with a git cwd: record the launch base, tar
//              .git + tracked/untracked files into the agent container, chown
//              — against `git clone --local` plus a container copy of the
//              worktree alone (the cheapest way to get a repo into a container).
//   harvest  = bot-bottle's harvest after the agent committed and left
//              uncommitted work (snapshot, bundle out of the container, fetch,
//              refs) — against a local `git fetch` of the same new commits.
//
//   bun scripts/bench/harvest.ts [--files 20000] [--mb 200] [--commits 3000] [--keep-repo DIR]
//
// The repo is generated with git fast-import (random text, so it does not
// compress away): ~200 MB of files in ~20k paths and a long history.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Docker } from "../../src/backends/shared/docker.ts";
import { DockerDriver } from "../../src/backends/docker/driver.ts";
import { pipeTarInto } from "../../src/backends/docker/copy.ts";
import { agentRecipe, ensureImage } from "../../src/images/build.ts";
import { loadConfig } from "../../src/config/config.ts";
import { cwdFileList, tarArgv } from "../../src/backends/shared/provision.ts";
import { gitLaunchBase } from "../../src/lifecycle/harvest-base.ts";
import { harvestBottle } from "../../src/lifecycle/harvest.ts";
import type { BottlePlan } from "../../src/plan/types.ts";
import { openDb } from "../../src/state/db.ts";
import { setLaunchBase } from "../../src/state/harvests.ts";
import { run } from "../../src/util/run.ts";

const { values } = parseArgs({
  options: {
    files: { type: "string", default: "20000" },
    mb: { type: "string", default: "200" },
    commits: { type: "string", default: "3000" },
    trace: { type: "boolean", default: false },
  },
});
const FILES = Math.max(10, Number(values.files) || 20000);
const BYTES = Math.max(1, Number(values.mb) || 200) * 1024 * 1024;
const COMMITS = Math.max(1, Number(values.commits) || 3000);
const WORKDIR = "/home/node/work";

const tmp = mkdtempSync(join(tmpdir(), "bb-bench-harvest-"));
const env: Record<string, string> = { ...(process.env as Record<string, string>), XDG_STATE_HOME: join(tmp, "state"), XDG_CONFIG_HOME: join(tmp, "config") };
if (!env.BOT_BOTTLE_BUILD_CA && existsSync("/etc/ssl/certs/ca-certificates.crt")) env.BOT_BOTTLE_BUILD_CA = "/etc/ssl/certs/ca-certificates.crt";
const GIT_ENV = { GIT_AUTHOR_NAME: "b", GIT_AUTHOR_EMAIL: "b@x", GIT_COMMITTER_NAME: "b", GIT_COMMITTER_EMAIL: "b@x", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };

function sh(argv: string[], cwd?: string, stdin?: string): string {
  const r = Bun.spawnSync(argv, { cwd, env: { ...env, ...GIT_ENV }, stdin: stdin !== undefined ? new Blob([stdin]) : "ignore", stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (exit ${r.exitCode}): ${r.stderr.toString().slice(-1500)}`);
  return r.stdout.toString();
}
async function timed<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const du = (p: string) => sh(["du", "-sh", p]).split("\t")[0];

/** fast-import stream: one big first commit (FILES paths, BYTES of text), then COMMITS small ones. */
async function generate(repo: string): Promise<void> {
  sh(["git", "init", "-q", "-b", "main", repo]);
  const p = Bun.spawn(["git", "-C", repo, "fast-import", "--quiet"], { stdin: "pipe", stdout: "ignore", stderr: "inherit", env: { ...env, ...GIT_ENV } });
  const w = p.stdin;
  const enc = new TextEncoder();
  const data = (b: Uint8Array) => {
    w.write(enc.encode(`data ${b.length}\n`));
    w.write(b);
    w.write(enc.encode("\n"));
  };
  const per = Math.floor((BYTES * 3) / 4 / FILES);
  const paths: string[] = [];
  for (let i = 0; i < FILES; i++) {
    paths.push(`src/m${i % 97}/d${i % 13}/f${i}.txt`);
    w.write(enc.encode(`blob\nmark :${i + 1}\n`));
    data(enc.encode(randomBytes(per).toString("base64")));
    if (i % 2000 === 0) await w.flush();
  }
  let t = 1_600_000_000;
  w.write(enc.encode(`commit refs/heads/main\nmark :${FILES + 1}\ncommitter b <b@x> ${t} +0000\n`));
  data(enc.encode("initial import\n"));
  for (let i = 0; i < FILES; i++) w.write(enc.encode(`M 100644 :${i + 1} ${paths[i]}\n`));
  w.write(enc.encode("\n"));
  for (let c = 0; c < COMMITS; c++) {
    t += 60;
    w.write(enc.encode(`commit refs/heads/main\ncommitter b <b@x> ${t} +0000\n`));
    data(enc.encode(`change ${c}\n`));
    for (let k = 0; k < 3; k++) {
      const body = enc.encode(`${c}:${k}:${randomBytes(300).toString("base64")}\n`);
      w.write(enc.encode(`M 100644 inline log/l${(c * 3 + k) % 500}.txt\n`));
      data(body);
    }
    w.write(enc.encode("\n"));
    if (c % 500 === 0) await w.flush();
  }
  await w.end();
  if ((await p.exited) !== 0) throw new Error("git fast-import failed");
  sh(["git", "-C", repo, "checkout", "-q", "-f", "main"]);
}

const container = `bb-bench-harvest-${Math.random().toString(36).slice(2, 8)}`;
const docker = new Docker();
try {
  const cfg = loadConfig(env);
  const image = await ensureImage(docker, agentRecipe("shell", cfg.baseImage, cfg), env);
  const repo = join(tmp, "repo");
  const [genMs] = await timed(() => generate(repo));
  const files = Number(sh(["git", "-C", repo, "ls-files"]).split("\n").length - 1);
  const commits = sh(["git", "-C", repo, "rev-list", "--count", "HEAD"]).trim();
  console.log(`repo: ${files} files, ${commits} commits, worktree+.git ${du(repo)} (.git ${du(join(repo, ".git"))}); generated in ${fmt(genMs)}`);

  // --- copy-in: what a launch does ---
  sh(["docker", "run", "-d", "--name", container, "--init", image, "sleep", "infinity"]);
  const plan = { identity: "bench-harvest", cwd: repo, copyCwd: true, workdir: WORKDIR, containers: { agent: container, bundle: "" } } as unknown as BottlePlan;
  const db = openDb(":memory:");
  const [copyMs] = await timed(async () => {
    setLaunchBase(db, plan.identity, await gitLaunchBase(plan, undefined, join(tmp, "scratch")));
    const list = (await cwdFileList(repo))!;
    const listFile = join(tmp, "cwd-files");
    writeFileSync(listFile, list.join("\0") + "\0");
    sh(["docker", "exec", "-u", "root", container, "mkdir", "-p", WORKDIR]);
    await pipeTarInto(tarArgv(repo, listFile), container, WORKDIR);
    sh(["docker", "exec", "-u", "root", container, "chown", "-R", "node:node", "/home/node"]);
  });
  // Baseline: clone --local (hardlinked objects + checkout) and a container copy of the worktree alone.
  const other = `${container}-b`;
  sh(["docker", "run", "-d", "--name", other, "--init", image, "sleep", "infinity"]);
  const [cloneMs] = await timed(() => sh(["git", "clone", "-q", "--local", repo, join(tmp, "clone")]));
  const [wtMs] = await timed(async () => {
    sh(["docker", "exec", "-u", "root", other, "mkdir", "-p", WORKDIR]);
    await pipeTarInto(["tar", "-c", "-C", repo, "--exclude=.git", "."], other, WORKDIR);
  });
  sh(["docker", "rm", "-f", other]);

  const fetcher = join(tmp, "fetcher.git");
  sh(["git", "clone", "-q", "--local", "--bare", repo, fetcher]);

  // --- the agent works: 20 commits over 400 files, one new 1 MB file, then uncommitted edits ---
  const work = [
    "set -e; cd " + WORKDIR,
    "export GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@b GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@b",
    "git status -s >/dev/null",
    "for c in $(seq 1 20); do for f in $(git ls-files src | shuf -n 20 --random-source=/dev/zero); do echo \"edit $c\" >> $f; done; git commit -qam \"agent $c\"; done",
    "head -c 1048576 /dev/urandom | base64 > big.txt; git add big.txt; git commit -qm big",
    "for f in $(git ls-files src | head -50); do echo wip >> $f; done; echo new > untracked.txt",
  ].join("\n");
  sh(["docker", "exec", "-u", "node", container, "sh", "-c", work]);

  // --- harvest ---
  const driver = new DockerDriver({ docker, config: cfg, env });
  // --trace: every command the harvest runs, with its time (where the time goes).
  const traced = async (argv: string[], opts?: Parameters<typeof run>[1]) => {
    const [ms, r] = await timed(() => run(argv, opts));
    console.log(`  ${fmt(ms)}  ${argv.slice(0, 8).join(" ").slice(0, 110)}`);
    return r;
  };
  if (values.trace) {
    const collect = driver.collect.bind(driver);
    driver.collect = async (p, argv, o) => {
      const [ms, r] = await timed(() => collect(p, argv, o));
      console.log(`  ${fmt(ms)}  in the bottle: ${argv.slice(0, 2).join(" ")} … (${du(o.out)} out)`);
      return r;
    };
  }
  const [harvestMs, result] = await timed(() => harvestBottle(db, plan, driver, { env, runner: values.trace ? traced : undefined }));
  // Baseline: a local fetch of the same new commits from a copy of the bottle's repo (cloned before the harvest).
  const localFetch = async () => {
    rmSync(join(tmp, "bottle.git"), { recursive: true, force: true });
    sh(["docker", "cp", `${container}:${WORKDIR}/.git`, join(tmp, "bottle.git")]);
    return (await timed(() => sh(["git", "-C", fetcher, "fetch", "-q", join(tmp, "bottle.git"), "refs/heads/*:refs/remotes/b/*"])))[0];
  };
  const fetchMs = await localFetch();

  // A large change: 2,000 files edited and 40 MB of new files over 5 commits; harvested again (incremental).
  const big = [
    "set -e; cd " + WORKDIR,
    "export GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@b GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@b",
    "for c in 1 2 3 4 5; do git ls-files src | sed -n \"$((c*400-399)),$((c*400))p\" | while read f; do echo \"big $c\" >> $f; done; mkdir -p gen$c; for i in $(seq 1 40); do head -c 196608 /dev/urandom | base64 > gen$c/n$i.txt; done; git add -A; git commit -qm \"big $c\"; done",
  ].join("\n");
  sh(["docker", "exec", "-u", "node", container, "sh", "-c", big]);
  const [bigHarvestMs, bigResult] = await timed(() => harvestBottle(db, plan, driver, { env, runner: values.trace ? traced : undefined }));
  const bigFetchMs = await localFetch();
  const execFloor = (await timed(() => sh(["docker", "exec", container, "true"])))[0];

  console.log(`harvest result: ${[...result.refs, ...(result.wip ? [result.wip] : [])].map((r) => `${r.name} (${r.status}, +${r.commits})`).join(", ")}; ${result.files} files`);
  console.log("");
  console.log(`copy-in   bot-bottle (base + tar .git and files + chown)   ${fmt(copyMs)}`);
  console.log(`          git clone --local + container copy of worktree   ${fmt(cloneMs + wtMs)}  (${fmt(cloneMs)} + ${fmt(wtMs)})`);
  console.log(`          ratio                                             ${(copyMs / (cloneMs + wtMs)).toFixed(2)}×  (goal ≤ 1.5×)`);
  console.log(`harvest   small change (21 commits, 1 MB, + uncommitted)   ${fmt(harvestMs)}`);
  console.log(`          local git fetch of the new commits               ${fmt(fetchMs)}`);
  console.log(`          ratio                                             ${(harvestMs / fetchMs).toFixed(2)}×  (goal ≤ 2×)`);
  console.log(`harvest   large change (5 commits, 2,000 files, 40 MB)     ${fmt(bigHarvestMs)}  (${bigResult.refs.map((r) => `${r.status} +${r.commits}`).join(", ")})`);
  console.log(`          local git fetch of the new commits               ${fmt(bigFetchMs)}`);
  console.log(`          ratio                                             ${(bigHarvestMs / bigFetchMs).toFixed(2)}×  (goal ≤ 2×)`);
  console.log(`context   one \`docker exec CONTAINER true\`                ${fmt(execFloor)}  (a harvest's floor: it runs in the bottle)`);
} finally {
  Bun.spawnSync(["docker", "rm", "-f", container, `${container}-b`], { stdout: "ignore", stderr: "ignore" });
  rmSync(tmp, { recursive: true, force: true });
}
