// What a bottle starts from, recorded on the host when its cwd is copied in:
// for a git repo the HEAD commit, the tree of the working files as copied
// (uncommitted host changes included, so they are not mistaken for the
// agent's) and the branch tips an export can leave out; for any other folder
// a manifest of every file's sha256.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FileHashes } from "../harvest/files.ts";
import { gitArgv, launchTipsArgv, revParseArgv } from "../harvest/host-git-argv.ts";
import type { LaunchBase } from "../harvest/types.ts";
import type { BottlePlan } from "../plan/types.ts";
import { harvestDir } from "../state/bottle-files.ts";
import { run, type Runner } from "../util/run.ts";

/** The same rule as the copy: a git work tree when the cwd holds `.git`. */
export function isGitCwd(cwd: string): boolean {
  return existsSync(join(cwd, ".git"));
}

async function out(runner: Runner, argv: string[], env?: Record<string, string>): Promise<string | null> {
  const r = await runner(argv, env ? { env } : {});
  return r.code === 0 ? r.stdout.trim() : null;
}

/** The tree of tracked + untracked-not-ignored files as they are on disk, through a throwaway index. */
async function worktreeTree(repo: string, runner: Runner, scratch: string): Promise<string | null> {
  const index = join(scratch, "launch-index");
  const real = await out(runner, ["git", "-C", repo, "rev-parse", "--path-format=absolute", "--git-path", "index"]);
  if (real && existsSync(real)) await Bun.write(index, Bun.file(real));
  const env = { GIT_INDEX_FILE: index, GIT_OPTIONAL_LOCKS: "0" };
  try {
    if ((await runner(gitArgv(repo, "add", "-A", "--", ":/"), { env })).code !== 0) return null;
    return await out(runner, gitArgv(repo, "write-tree"), env);
  } finally {
    rmSync(index, { force: true });
  }
}

export async function gitLaunchBase(plan: BottlePlan, runner: Runner = run, scratch = harvestDir(plan.identity)): Promise<LaunchBase> {
  mkdirSync(scratch, { recursive: true, mode: 0o700 });
  const repo = plan.cwd;
  const head = await out(runner, revParseArgv(repo, "HEAD^{commit}"));
  const headTree = head ? await out(runner, revParseArgv(repo, "HEAD^{tree}")) : null;
  const tree = await worktreeTree(repo, runner, scratch);
  const tips = ((await out(runner, launchTipsArgv(repo))) ?? "").split("\n").filter((t) => /^[0-9a-f]{40,64}$/.test(t));
  return { kind: "git", repo, head, tree: tree && tree !== headTree ? tree : null, tips: [...new Set([...(head ? [head] : []), ...tips])] };
}

/** Every regular file under `dir` (node_modules left out, as the copy does) with its sha256. */
export async function hashTree(dir: string): Promise<FileHashes> {
  const m: FileHashes = new Map();
  const walk = async (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== "node_modules") await walk(p);
      } else if (e.isFile()) {
        const h = createHash("sha256");
        for await (const chunk of Bun.file(join(dir, p)).stream()) h.update(chunk);
        m.set(p, h.digest("hex"));
      }
    }
  };
  await walk("");
  return m;
}

export async function filesLaunchBase(plan: BottlePlan, dir = harvestDir(plan.identity)): Promise<LaunchBase> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const manifest = join(dir, "base-files.json");
  writeFileSync(manifest, JSON.stringify(Object.fromEntries(await hashTree(plan.cwd))));
  return { kind: "files", dir: plan.cwd, manifest };
}

export async function launchBase(plan: BottlePlan, runner: Runner = run): Promise<LaunchBase> {
  if (!plan.copyCwd) return { kind: "none" };
  return isGitCwd(plan.cwd) ? gitLaunchBase(plan, runner) : filesLaunchBase(plan);
}
