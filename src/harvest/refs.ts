// Pure: where a bottle's branches land in the host repo. Everything goes under
// refs/heads/bot-bottle/<id>/, never over the operator's own refs; a ref that
// moved elsewhere since the last harvest is kept and the new tip gets `-N`.
import { escapeRegExp } from "../util/regex.ts";

export const WIP_BRANCH = "wip";

export function refPrefix(identity: string): string {
  return `refs/heads/bot-bottle/${identity}/`;
}

/**
 * Is a bottle-chosen branch name safe to use as a path under our prefix?
 * Stricter than git's check-ref-format: printable ASCII words only, so the
 * name is also safe in a terminal, a shell and a file system.
 */
export function safeBranchName(name: string): boolean {
  if (!name || name.length > 200) return false;
  if (!/^[A-Za-z0-9._/+-]+$/.test(name)) return false;
  return name.split("/").every((part) => part !== "" && !part.startsWith(".") && !part.startsWith("-") && !part.endsWith(".lock") && !part.includes(".."));
}

/**
 * Candidate names for a branch: `b`, `b-1`, `b-2`, … (`wip` is reserved for
 * uncommitted work). A name with folders also gets `top-N/rest`: when `top` is
 * a ref already (the wip snapshot owns `wip`, so a bottle branch `wip/x`),
 * every `wip/x-N` is under it and only a renamed folder is free.
 */
export function* candidates(branch: string, reserved = false): Generator<string> {
  if (!reserved) yield branch;
  const slash = branch.indexOf("/");
  for (let n = 1; ; n++) {
    yield `${branch}-${n}`;
    if (slash > 0) yield `${branch.slice(0, slash)}-${n}${branch.slice(slash)}`;
  }
}

/** Is `ref` one of the names `candidates(branch)` gives under `prefix` (where an earlier harvest put it)? */
export function isCandidateRef(prefix: string, branch: string, ref: string): boolean {
  if (!ref.startsWith(prefix)) return false;
  const name = ref.slice(prefix.length);
  if (name === branch) return true;
  const slash = branch.indexOf("/");
  const alt = slash > 0 ? `|${escapeRegExp(branch.slice(0, slash))}-[1-9]\\d*${escapeRegExp(branch.slice(slash))}` : "";
  return new RegExp(`^(?:${escapeRegExp(branch)}-[1-9]\\d*${alt})$`).test(name);
}

/** Can `ref` be created next to `others`? Git keeps refs as paths: no ref may be a folder of another. */
function folderClash(ref: string, others: Iterable<string>): boolean {
  for (const r of others) if (r.startsWith(ref + "/") || ref.startsWith(r + "/")) return true;
  return false;
}

export interface RefDecision {
  ref: string;
  old: string | null;
  status: "created" | "moved" | "diverged" | "unchanged";
}

/**
 * Choose the host ref for a new tip. `existing` maps full refs under the
 * prefix to their shas; `isAncestor(old, tip)` says whether moving old → tip
 * is a fast-forward. The first candidate that is free, equal or behind wins.
 */
export function chooseRef(
  prefix: string,
  branch: string,
  tip: string,
  existing: Map<string, string>,
  isAncestor: (old: string, tip: string) => boolean,
  opts: { reserved?: boolean; taken?: Set<string> } = {},
): RefDecision {
  let diverged = false;
  let i = 0;
  for (const name of candidates(branch, opts.reserved)) {
    const ref = prefix + name;
    if (++i > 2000) throw new Error(`no free ref for ${branch}`);
    if (opts.taken?.has(ref)) continue;
    const old = existing.get(ref);
    if (old === undefined) {
      // A name that is a folder of a ref (or under one), existing or chosen in this harvest, cannot be created.
      if (folderClash(ref, existing.keys()) || (opts.taken && folderClash(ref, opts.taken))) continue;
      return { ref, old: null, status: diverged ? "diverged" : "created" };
    }
    if (old === tip) return { ref, old, status: "unchanged" };
    if (isAncestor(old, tip)) return { ref, old, status: diverged ? "diverged" : "moved" };
    diverged = true;
  }
  throw new Error("unreachable");
}

/** refs/heads/bot-bottle/<id>/x → bot-bottle/<id>/x */
export function shortRef(ref: string): string {
  return ref.replace(/^refs\/heads\//, "");
}
