// Harvest: bring a bottle's work home. In the bottle, one command snapshots
// uncommitted work as a commit (throwaway index) and writes a git bundle of
// every branch to a file in the bottle's state folder (the export); on the
// host, `git fetch` takes the objects from that file and one `update-ref`
// transaction writes refs/heads/bot-bottle/<id>/… — nothing else in the host
// repo changes. An export that cannot be brought in stays in the folder,
// the failure is recorded, and rm/gc refuse until it is home (or -f).
import type { Database } from "bun:sqlite";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BackendDriver } from "../backends/types.ts";
import { exportErrors, gitExportArgv, parseExportMeta, BOTTLE_WIP_REF, EMPTY_TREE, type ExportMeta } from "../harvest/bottle-script.ts";
import {
  countArgv,
  diffNamesArgv,
  fetchBundleArgv,
  forEachRefArgv,
  isAncestorArgv,
  listHeadsArgv,
  updateRefArgv,
  updateRefStdin,
} from "../harvest/host-git-argv.ts";
import { chooseRef, isCandidateRef, refPrefix, safeBranchName, shortRef, WIP_BRANCH, type RefDecision } from "../harvest/refs.ts";
import type { HarvestedRef, HarvestResult, LaunchBase } from "../harvest/types.ts";
import type { BottlePlan } from "../plan/types.ts";
import { getHarvest, recordHarvestFailed, recordHarvestOk } from "../state/harvests.ts";
import { BottleError } from "../util/errors.ts";
import { inert } from "../util/inert.ts";
import { harvestDir } from "../state/bottle-files.ts";
import { run, type Runner } from "../util/run.ts";
import { harvestFiles } from "./harvest-files.ts";
import { collectGuarded, type DiskProbe } from "./export-guard.ts";

export const EXPORT_BUNDLE = "export.bundle";
export const EXPORT_META = "export.json";

export interface HarvestDeps {
  runner?: Runner;
  /** Free space of the state folder's disk (tests substitute a full disk). */
  diskProbe?: DiskProbe;
  env?: Record<string, string | undefined>;
  warn?: (msg: string) => void;
}

const now = () => new Date().toISOString();

function fix(id: string): string {
  return `fix it and run \`bot-bottle harvest ${id}\`; \`bot-bottle rm -f ${id}\` discards the work`;
}

function emptyResult(plan: BottlePlan, kind: HarvestResult["kind"], target: string, base: string | null): HarvestResult {
  return { identity: plan.identity, kind, target, refs: [], wip: null, primary: null, base, files: 0, at: now() };
}

/**
 * Harvest one bottle (running, stopped, or gone with an export kept). Records
 * the result or the failure; throws a HARVEST error on failure.
 */
export async function harvestBottle(db: Database, plan: BottlePlan, driver: BackendDriver, deps: HarvestDeps = {}): Promise<HarvestResult> {
  const rec = getHarvest(db, plan.identity);
  const base: LaunchBase = rec?.base ?? { kind: "none" };
  if (!plan.copyCwd || base.kind === "none") return emptyResult(plan, "none", plan.cwd, null);
  const dir = harvestDir(plan.identity, deps.env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    const result = base.kind === "files" ? await harvestFiles(plan, base, driver, dir, deps) : await harvestGit(plan, base, rec?.tips ?? [], driver, dir, deps);
    if (result) recordHarvestOk(db, plan.identity, result);
    return result ?? rec?.result ?? emptyResult(plan, base.kind, base.kind === "git" ? base.repo : base.dir, null);
  } catch (e) {
    const msg = (e as Error).message;
    recordHarvestFailed(db, plan.identity, msg);
    if (e instanceof BottleError && e.code === "HARVEST") throw e;
    throw new BottleError("HARVEST", `harvesting ${plan.identity} failed: ${msg}`, { hint: fix(plan.identity), cause: e });
  }
}

/** Export from the bottle into `dir`; null when the bottle is gone (then a kept export is used). */
async function exportGit(plan: BottlePlan, base: LaunchBase & { kind: "git" }, bases: string[], driver: BackendDriver, dir: string, probe?: DiskProbe): Promise<ExportMeta | null> {
  const bundle = join(dir, EXPORT_BUNDLE);
  const metaFile = join(dir, EXPORT_META);
  const partial = `${bundle}.part`;
  const r = await collectGuarded(driver, plan, gitExportArgv(plan.workdir, base.tree, bases), { out: partial }, probe);
  if (r === null) {
    rmSync(partial, { force: true });
    if (!existsSync(metaFile)) return null;
    return JSON.parse(readFileSync(metaFile, "utf8")) as ExportMeta;
  }
  if (r.code !== 0) {
    rmSync(partial, { force: true });
    const meta = parseExportMeta(r.stderr);
    if (meta.nogit) throw new BottleError("HARVEST", `${plan.workdir} in ${plan.identity} is no longer a git repository`, { hint: `\`bot-bottle exec ${plan.identity} -- ls -a ${plan.workdir}\` to look; \`bot-bottle rm -f ${plan.identity}\` discards it` });
    throw new BottleError("HARVEST", `exporting from ${plan.identity} failed (exit ${r.code}): ${inert(exportErrors(r.stderr))}`, { hint: fix(plan.identity) });
  }
  const meta = parseExportMeta(r.stderr);
  // The new export replaces the kept one only once it is whole.
  if (meta.bundle) renameSync(partial, bundle);
  else {
    rmSync(partial, { force: true });
    rmSync(bundle, { force: true });
  }
  writeFileSync(metaFile, JSON.stringify(meta));
  return meta;
}

async function git(runner: Runner, argv: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  const r = await runner(argv, stdin !== undefined ? { stdin } : {});
  return { code: r.code, out: r.stdout, err: r.stderr.trim() };
}

function hostGitError(repo: string, what: string, err: string, id: string): BottleError {
  if (!existsSync(repo)) return new BottleError("HARVEST", `the host repository ${repo} is gone`, { hint: `restore it (or \`git init\` it) and run \`bot-bottle harvest ${id}\`; the export is kept; \`bot-bottle rm -f ${id}\` discards it` });
  // "cannot lock ref" also prefixes name conflicts (a/b next to a), which no waiting fixes.
  if (/\.lock'?:? File exists|Unable to create .*\.lock|cannot lock ref/i.test(err) && !/at the same time|exists; cannot create/i.test(err)) {
    const line = err.split("\n").find((l) => /\.lock/.test(l)) ?? err.split("\n")[0] ?? "";
    return new BottleError("HARVEST", `the host repository ${repo} is locked (${inert(line.replace(/^(fatal|error): /, ""))})`, { hint: `wait for the other git command (or remove a stale .lock file) and run \`bot-bottle harvest ${id}\`` });
  }
  if (/No space left/i.test(err)) return new BottleError("HARVEST", `no space left for ${repo}`, { hint: `free some space and run \`bot-bottle harvest ${id}\`; the export is kept` });
  return new BottleError("HARVEST", `${what} in ${repo} failed: ${inert(err.split("\n").slice(-3).join(" | "))}`, { hint: fix(id) });
}

async function harvestGit(plan: BottlePlan, base: LaunchBase & { kind: "git" }, harvested: string[], driver: BackendDriver, dir: string, deps: HarvestDeps): Promise<HarvestResult | null> {
  const runner = deps.runner ?? run;
  const warn = deps.warn ?? (() => {});
  const repo = base.repo;
  const id = plan.identity;
  const bases = [...new Set([...(base.head ? [base.head] : []), ...harvested, ...base.tips])].slice(0, 400);
  let meta = await exportGit(plan, base, bases, driver, dir, deps.diskProbe);
  if (!meta) return null;
  const bundle = join(dir, EXPORT_BUNDLE);
  const result = emptyResult(plan, "git", repo, base.head);
  if (!existsSync(repo)) throw hostGitError(repo, "", "", id);
  const existing = await ourRefs(runner, repo, refPrefix(id), id);
  if (!meta.bundle || !existsSync(bundle)) return finish(runner, result, meta, existing, [], base);

  // What the bundle offers, checked by git itself (list-heads verifies the file).
  let heads = await git(runner, listHeadsArgv(repo, bundle));
  if (heads.code !== 0) throw hostGitError(repo, "reading the export", heads.err, id);
  const offered = parseHeads(heads.out);
  const wanted: { branch: string; src: string; sha: string; wip: boolean }[] = [];
  for (const h of offered) {
    if (h.ref === BOTTLE_WIP_REF) wanted.push({ branch: WIP_BRANCH, src: h.ref, sha: h.sha, wip: true });
    else if (h.ref.startsWith("refs/heads/")) {
      const b = h.ref.slice("refs/heads/".length);
      if (safeBranchName(b)) wanted.push({ branch: b, src: h.ref, sha: h.sha, wip: false });
      else warn(`${id}: branch ${inert(JSON.stringify(b))} has a name bot-bottle does not copy; rename it in the bottle and harvest again`);
    }
  }
  // Skip what the host already holds: a launch tip or a tip harvested before.
  const known = new Set([...base.tips, ...harvested]);
  for (const v of existing.values()) known.add(v);
  const todo = wanted.filter((w) => !known.has(w.sha));

  if (todo.length) {
    let f = await git(runner, fetchBundleArgv(repo, bundle, [...new Set(todo.map((t) => t.src))]));
    if (f.code !== 0 && /lacks these prerequisite|prerequisite/i.test(f.err)) {
      // The host lost a commit the export left out (a branch deleted and gc'd): export everything.
      warn(`${id}: the host repository lacks commits the export assumed; exporting the whole history`);
      meta = (await exportGit(plan, base, [], driver, dir, deps.diskProbe)) ?? meta;
      f = await git(runner, fetchBundleArgv(repo, bundle, [...new Set(todo.map((t) => t.src))]));
    }
    if (f.code !== 0) throw hostGitError(repo, "git fetch of the export", f.err, id);
  }

  // Decide every ref name first (wip first: it owns the name "wip"), then write them in one transaction.
  const ordered = [...todo.filter((t) => t.wip), ...todo.filter((t) => !t.wip)];
  const ancestry = new Map<string, boolean>();
  for (const t of ordered) {
    for (const [ref, old] of existing) {
      if (!isCandidateRef(refPrefix(id), t.branch, ref)) continue;
      const k = `${old}..${t.sha}`;
      if (!ancestry.has(k)) ancestry.set(k, (await git(runner, isAncestorArgv(repo, old, t.sha))).code === 0);
    }
  }
  const taken = new Set<string>();
  const decisions: (RefDecision & { t: (typeof ordered)[number] })[] = [];
  for (const t of ordered) {
    const d = chooseRef(refPrefix(id), t.branch, t.sha, existing, (o, n) => ancestry.get(`${o}..${n}`) ?? false, { reserved: !t.wip && t.branch === WIP_BRANCH, taken });
    taken.add(d.ref);
    decisions.push({ ...d, t });
  }
  const writes = decisions.filter((d) => d.status !== "unchanged").map((d) => ({ ref: d.ref, sha: d.t.sha, old: d.old }));
  if (writes.length) {
    const u = await git(runner, updateRefArgv(repo), updateRefStdin(writes));
    if (u.code !== 0) throw hostGitError(repo, "writing the bot-bottle refs", u.err, id);
  }

  const made: HarvestedRef[] = [];
  for (const d of decisions) {
    const exclude = [...(d.old ? [d.old] : []), ...(base.head ? [base.head] : [])];
    const c = await git(runner, countArgv(repo, d.t.sha, exclude));
    const ref: HarvestedRef = { ref: d.ref, name: shortRef(d.ref), branch: d.t.branch, sha: d.t.sha, old: d.old, status: d.status, commits: Number(c.out.trim()) || 0 };
    made.push(ref);
  }
  return finish(runner, result, meta, existing, made, base, bundle);
}

/**
 * Complete the picture: the refs made now, plus the bottle's branches (and
 * wip) already home from an earlier harvest, as "unchanged"; then the
 * primary ref and the file count.
 */
async function finish(
  runner: Runner,
  result: HarvestResult,
  meta: ExportMeta,
  existing: Map<string, string>,
  made: HarvestedRef[],
  base: LaunchBase & { kind: "git" },
  bundle?: string,
): Promise<HarvestResult> {
  const repo = base.repo;
  const prefix = refPrefix(result.identity);
  const madeBranches = new Set(made.map((m) => m.branch));
  const home = (branch: string, sha: string): HarvestedRef | null => {
    const hits = [...existing].filter(([ref, v]) => v === sha && isCandidateRef(prefix, branch, ref));
    const ref = hits.map(([r]) => r).sort()[0];
    return ref ? { ref, name: shortRef(ref), branch, sha, old: sha, status: "unchanged", commits: 0 } : null;
  };
  const all = [...made];
  for (const b of meta.branches) {
    const name = b.ref.replace(/^refs\/heads\//, "");
    if (madeBranches.has(name) || !safeBranchName(name)) continue;
    const h = home(name, b.sha);
    if (h) all.push(h);
  }
  if (meta.wip && !madeBranches.has(WIP_BRANCH)) {
    const h = home(WIP_BRANCH, meta.wip.sha);
    if (h) all.push(h);
  }
  result.wip = all.find((r) => r.branch === WIP_BRANCH && (meta.wip?.sha === r.sha)) ?? null;
  result.refs = all.filter((r) => r !== result.wip);
  const headBranch = meta.headRef?.startsWith("refs/heads/") ? meta.headRef : null;
  const primary = result.wip ?? result.refs.find((r) => `refs/heads/${r.branch}` === headBranch) ?? null;
  result.primary = primary?.name ?? null;
  if (primary) {
    const n = await git(runner, diffNamesArgv(repo, base.head ?? EMPTY_TREE, primary.sha));
    result.files = n.out.split("\0").filter(Boolean).length;
  }
  // Home: the export is no longer needed.
  if (bundle) rmSync(bundle, { force: true });
  if (meta.wipError) {
    // The branches are home; the uncommitted work is not, so this is still a failure (rm/gc refuse).
    const home = [...result.refs].map((r) => inert(r.name)).join(", ");
    throw new BottleError("HARVEST", `the uncommitted work in ${result.identity} could not be snapshotted: ${inert(meta.wipError)}${home ? ` (its branches came home: ${home})` : ""}`, {
      hint: `commit it in the bottle (\`bot-bottle exec ${result.identity} -- git …\`) or fix the files git names, then \`bot-bottle harvest ${result.identity}\`; \`bot-bottle rm -f ${result.identity}\` discards it`,
    });
  }
  return result;
}


export function parseHeads(out: string): { sha: string; ref: string }[] {
  return out
    .split("\n")
    .map((l) => /^([0-9a-f]{40,64}) (\S+)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ sha: m[1]!, ref: m[2]! }));
}

async function ourRefs(runner: Runner, repo: string, prefix: string, id: string): Promise<Map<string, string>> {
  const r = await git(runner, forEachRefArgv(repo, prefix));
  if (r.code !== 0) throw hostGitError(repo, "listing refs", r.err, id);
  const m = new Map<string, string>();
  for (const l of r.out.split("\n")) {
    const [sha, ref] = l.split(" ");
    if (sha && ref) m.set(ref, sha);
  }
  return m;
}
