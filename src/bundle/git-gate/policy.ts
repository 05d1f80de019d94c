// Push policy of the git gate: which ref updates the agent may make. Pure, so
// the rules are table-tested without git.
//
// Patterns: a pattern that starts with `refs/` is a full ref pattern
// (`refs/tags/v*`); any other pattern names branches, i.e. means
// `refs/heads/<pattern>` (`bot-bottle/<slug>/*` → `refs/heads/bot-bottle/<slug>/*`).
// `*` matches any run of characters, `/` included, like a git refspec glob,
// so `bot-bottle/<slug>/*` also allows `bot-bottle/<slug>/fix/typo`.

export const ZERO_SHA = /^0+$/;

export type UpdateKind = "create" | "update" | "force" | "delete";

export interface RefUpdate {
  ref: string;
  old: string;
  new: string;
}

export interface PushRules {
  push: string[];
  allowForce: boolean;
  allowDelete: boolean;
}

export interface UpdateDecision extends RefUpdate {
  kind: UpdateKind;
  ok: boolean;
  /** Why it was refused (absent when ok). */
  reason?: string;
}

/** The full ref pattern a manifest pattern stands for. */
export function fullRefPattern(pattern: string): string {
  return pattern.startsWith("refs/") ? pattern : `refs/heads/${pattern}`;
}

function globToRegex(glob: string): RegExp {
  const body = glob
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`);
}

export function refMatches(ref: string, patterns: string[]): boolean {
  return patterns.some((p) => globToRegex(fullRefPattern(p)).test(ref));
}

/** Classify an update; `isAncestor` says whether old is an ancestor of new (only asked for updates). */
export function updateKind(u: RefUpdate, isAncestor: boolean): UpdateKind {
  if (ZERO_SHA.test(u.old)) return "create";
  if (ZERO_SHA.test(u.new)) return "delete";
  return isAncestor ? "update" : "force";
}

export function decideUpdate(u: RefUpdate, kind: UpdateKind, rules: PushRules): UpdateDecision {
  const refuse = (reason: string): UpdateDecision => ({ ...u, kind, ok: false, reason });
  if (!isSafeRefName(u.ref)) return refuse(`${u.ref} is not a ref name the gate forwards`);
  if (!refMatches(u.ref, rules.push)) return refuse(`${u.ref} is outside the allowed refs`);
  if (kind === "delete" && !rules.allowDelete) return refuse(`deleting ${u.ref} is not allowed`);
  if (kind === "force" && !rules.allowForce) return refuse(`${u.ref}: non-fast-forward (force) pushes are not allowed`);
  return { ...u, kind, ok: true };
}

/** Refs under refs/ without shell or refspec metacharacters (the gate passes them to git push). */
export function isSafeRefName(ref: string): boolean {
  return /^refs\/[A-Za-z0-9._\/-]+$/.test(ref) && !ref.includes("..") && !ref.endsWith("/") && !ref.endsWith(".lock");
}

/** All updates pass, or the push is refused whole (the gate forwards nothing partial). */
export function pushAllowed(decisions: UpdateDecision[]): boolean {
  return decisions.length > 0 && decisions.every((d) => d.ok);
}

/** Lines the agent sees as `remote: …` when its push is refused. */
export function refusalMessage(decisions: UpdateDecision[], rules: PushRules): string[] {
  const lines = ["bot-bottle git gate: push refused."];
  for (const d of decisions) lines.push(d.ok ? `  ok       ${d.ref} (not sent: the push is all or nothing)` : `  refused  ${d.reason}`);
  lines.push(`Allowed refs: ${rules.push.map(fullRefPattern).join(", ") || "(none)"}`);
  lines.push(`Force pushes: ${rules.allowForce ? "allowed" : "not allowed"}; deletes: ${rules.allowDelete ? "allowed" : "not allowed"}.`);
  const example = rules.push.find((p) => !p.startsWith("refs/"));
  if (example) lines.push(`Push your branch as e.g.: git push origin HEAD:${example.replace("*", "my-change")}`);
  return lines;
}

/** `git push` refspecs that forward accepted updates to the real remote. */
export function forwardRefspecs(decisions: UpdateDecision[]): string[] {
  return decisions.map((d) => (d.kind === "delete" ? `:${d.ref}` : `${d.kind === "force" ? "+" : ""}${d.new}:${d.ref}`));
}
