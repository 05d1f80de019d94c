// Pure: where a bottle's branches land in the host repo. Everything goes under
// refs/heads/bot-bottle/<id>/, never over the operator's own refs; a ref that
// moved elsewhere since the last harvest is kept and the new tip gets `-N`.

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

/** Candidate names for a branch: `b`, `b-1`, `b-2`, … (`wip` is reserved for uncommitted work). */
export function* candidates(branch: string, reserved = false): Generator<string> {
  if (!reserved) yield branch;
  for (let n = 1; ; n++) yield `${branch}-${n}`;
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
    if (++i > 1000) throw new Error(`no free ref for ${branch}`);
    if (opts.taken?.has(ref)) continue;
    const old = existing.get(ref);
    if (old === undefined) {
      // A name that is a folder of existing refs (or under one) cannot be created.
      const clash = [...existing.keys()].some((r) => r.startsWith(ref + "/") || ref.startsWith(r + "/"));
      if (clash) continue;
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
