// Pure: the git commands a harvest runs in the HOST repo. None of them touches
// the worktree, the index, HEAD, the stash, the config or a reflog: objects
// come in through `git fetch` from a bundle file (git checks every object and
// the bundle's prerequisites), refs are written only under our prefix by one
// `update-ref --stdin` transaction that verifies each old value.

/** Settings for every harvest command: no reflog entries, no auto gc/maintenance, no FETCH_HEAD. */
const QUIET = ["-c", "core.logAllRefUpdates=false", "-c", "gc.auto=0", "-c", "maintenance.auto=false", "-c", "fetch.writeCommitGraph=false"];

export function gitArgv(repo: string, ...args: string[]): string[] {
  return ["git", "-C", repo, ...QUIET, ...args];
}

/**
 * Bring the bundle's objects in without creating any ref: refspecs with no
 * destination. `--no-write-fetch-head` keeps FETCH_HEAD as it was.
 */
export function fetchBundleArgv(repo: string, bundle: string, refs: string[]): string[] {
  return gitArgv(repo, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-auto-gc", "--no-recurse-submodules", bundle, ...refs);
}

export function listHeadsArgv(repo: string, bundle: string): string[] {
  return gitArgv(repo, "bundle", "list-heads", bundle);
}

/** Our refs for one bottle: `sha ref` lines. */
export function forEachRefArgv(repo: string, prefix: string): string[] {
  return gitArgv(repo, "for-each-ref", "--format=%(objectname) %(refname)", prefix);
}

export function isAncestorArgv(repo: string, old: string, tip: string): string[] {
  return gitArgv(repo, "merge-base", "--is-ancestor", old, tip);
}

export function countArgv(repo: string, tip: string, exclude: string[]): string[] {
  return gitArgv(repo, "rev-list", "--count", tip, ...exclude.map((e) => `^${e}`), "--");
}

/** One transaction: all refs or none; `create` fails if a ref exists, `update` if it moved meanwhile. */
export function updateRefArgv(repo: string): string[] {
  return gitArgv(repo, "update-ref", "--no-deref", "--stdin", "-z");
}

export function updateRefStdin(ops: { ref: string; sha: string; old: string | null }[]): string {
  return ops.map((o) => (o.old === null ? `create ${o.ref}\0${o.sha}\0` : `update ${o.ref}\0${o.sha}\0${o.old}\0`)).join("") || "";
}

/** Paths changed between two commits, NUL-separated (for the file count). */
export function diffNamesArgv(repo: string, a: string, b: string): string[] {
  return gitArgv(repo, "diff", "--no-renames", "--name-only", "-z", a, b, "--");
}

export function diffArgv(repo: string, a: string, b: string, mode: "patch" | "stat" | "numstat", color: boolean): string[] {
  const flag = mode === "stat" ? ["--stat"] : mode === "numstat" ? ["--numstat", "-z", "--no-renames"] : [];
  return gitArgv(repo, "diff", color ? "--color=always" : "--no-color", ...flag, a, b, "--");
}

/** Tracked changes (staged or not): `apply` refuses on a dirty tree. */
export function statusArgv(repo: string): string[] {
  return gitArgv(repo, "status", "--porcelain=v1", "-z", "--untracked-files=no");
}

export function mergeArgv(repo: string, ref: string, message: string): string[] {
  return ["git", "-C", repo, "merge", "--no-edit", "-m", message, ref];
}

export function mergeAbortArgv(repo: string): string[] {
  return ["git", "-C", repo, "merge", "--abort"];
}

export function conflictsArgv(repo: string): string[] {
  return ["git", "-C", repo, "diff", "--name-only", "--diff-filter=U", "-z"];
}

/** Launch tips worth leaving out of an export: HEAD and the branches, newest first. */
export function launchTipsArgv(repo: string): string[] {
  return gitArgv(repo, "for-each-ref", "--sort=-committerdate", "--count=200", "--format=%(objectname)", "refs/heads/", "refs/tags/");
}

export function revParseArgv(repo: string, rev: string): string[] {
  return gitArgv(repo, "rev-parse", "-q", "--verify", rev);
}
