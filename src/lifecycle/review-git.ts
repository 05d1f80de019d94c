// `diff` and `apply` for harvested git work. `diff` only reads; `apply`
// merges one harvested ref into the host's current branch, refusing on a
// dirty tree and aborting a conflicted merge, so the repo is as it was.
import type { HarvestRecord, HarvestResult, HarvestedRef } from "../harvest/types.ts";
import { EMPTY_TREE } from "../harvest/bottle-script.ts";
import { conflictsArgv, diffArgv, mergeAbortArgv, mergeArgv, revParseArgv, statusArgv } from "../harvest/host-git-argv.ts";
import { BottleError } from "../util/errors.ts";
import { inert } from "../util/inert.ts";
import { run, type Runner } from "../util/run.ts";

export interface DiffFile {
  path: string;
  added: number | null;
  deleted: number | null;
}

/** The harvested ref to review: `--branch` (a bottle branch or a full name), else the primary one. */
export function pickRef(r: HarvestResult, branch?: string): HarvestedRef {
  const all = [...(r.wip ? [r.wip] : []), ...r.refs];
  if (branch) {
    const hit = all.find((x) => x.branch === branch || x.name === branch || x.ref === branch);
    if (!hit) {
      throw new BottleError("USAGE", `${r.identity} has no harvested branch ${inert(branch)}`, {
        hint: all.length ? `one of: ${all.map((x) => inert(x.branch)).join(", ")}` : "nothing was harvested",
      });
    }
    return hit;
  }
  const primary = all.find((x) => x.name === r.primary) ?? all[0];
  if (!primary) throw new BottleError("USAGE", `${r.identity} has no harvested work`, { hint: `\`bot-bottle harvest ${r.identity}\` brings it home first` });
  return primary;
}

/** Pure: parse `git diff --numstat -z` (binary files show "-"). */
export function parseNumstat(out: string): DiffFile[] {
  const files: DiffFile[] = [];
  for (const rec of out.split("\0")) {
    const m = /^\s*(\d+|-)\t(\d+|-)\t([\s\S]+)$/.exec(rec.replace(/^\n/, ""));
    if (m) files.push({ path: m[3]!, added: m[1] === "-" ? null : Number(m[1]), deleted: m[2] === "-" ? null : Number(m[2]) });
  }
  return files;
}

export interface GitDiff {
  ref: HarvestedRef;
  base: string;
  text: string;
  files: DiffFile[];
}

export async function gitDiff(rec: HarvestRecord, o: { branch?: string; stat?: boolean; runner?: Runner }): Promise<GitDiff> {
  const runner = o.runner ?? run;
  const r = rec.result!;
  const ref = pickRef(r, o.branch);
  const repo = r.target;
  const base = r.base ?? EMPTY_TREE;
  const text = await runner(diffArgv(repo, base, ref.sha, o.stat ? "stat" : "patch", false));
  if (text.code !== 0) throw new BottleError("HARVEST", `git diff in ${repo} failed: ${inert(text.stderr.trim())}`, { hint: "is the host repository still there?" });
  const num = await runner(diffArgv(repo, base, ref.sha, "numstat", false));
  return { ref, base, text: text.stdout, files: parseNumstat(num.stdout) };
}

export async function gitApply(rec: HarvestRecord, o: { branch?: string; runner?: Runner }): Promise<{ ref: HarvestedRef; head: string }> {
  const runner = o.runner ?? run;
  const r = rec.result!;
  const ref = pickRef(r, o.branch);
  const repo = r.target;
  const dirty = await runner(statusArgv(repo));
  if (dirty.code !== 0) throw new BottleError("HARVEST", `cannot read the state of ${repo}: ${inert(dirty.stderr.trim())}`, { hint: "is the host repository still there?" });
  if (dirty.stdout.length) {
    const n = dirty.stdout.split("\0").filter(Boolean).length;
    throw new BottleError("HARVEST", `${repo} has uncommitted changes to ${n} tracked file(s); nothing was applied`, { hint: "commit or stash them, then run apply again" });
  }
  const have = await runner(revParseArgv(repo, `${ref.ref}^{commit}`));
  if (have.code !== 0 || have.stdout.trim() !== ref.sha) {
    throw new BottleError("HARVEST", `${ref.name} is not at the harvested commit ${ref.sha.slice(0, 9)} in ${repo}`, { hint: `\`bot-bottle harvest ${r.identity}\` brings it home again` });
  }
  const m = await runner(mergeArgv(repo, ref.ref, `Merge ${ref.name} (bot-bottle)`));
  if (m.code !== 0) {
    const conflicts = (await runner(conflictsArgv(repo))).stdout.split("\0").filter(Boolean);
    if (conflicts.length) {
      await runner(mergeAbortArgv(repo));
      throw new BottleError("HARVEST", `merging ${ref.name} conflicts in ${conflicts.map((c) => inert(c)).join(", ")}; the merge was aborted and the repo is as it was`, {
        hint: `resolve it by hand: \`git merge ${ref.name}\``,
      });
    }
    throw new BottleError("HARVEST", `git merge ${ref.name} failed, nothing was applied: ${inert((m.stderr || m.stdout).trim().split("\n").slice(-3).join(" | "))}`, {
      hint: "move the files git names out of the way, then run apply again",
    });
  }
  const head = (await runner(revParseArgv(repo, "HEAD"))).stdout.trim();
  return { ref, head };
}
