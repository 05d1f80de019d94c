// The operator's live policy for one running bottle: hosts allowed or denied
// and git push patterns changed since launch, on top of what the manifest
// said. One JSON file in the bottle's bundle folder, written only by the host
// (`allow`, `deny`, answers to ask-to-allow) under a lock and published by
// rename, so the bundle (which polls it, see watcher.ts) reads a whole
// version or the previous one, never half of one. The agent cannot reach it:
// the bundle folder is mounted into the bundle only, and nothing in the bundle
// offers the agent a way to write it.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import * as v from "valibot";
import { hostPattern } from "../../manifest/schema.ts";
import { BottleError } from "../../util/errors.ts";
import { withFileLock } from "../../util/file-lock.ts";
import { BUNDLE_FILES } from "../../state/bottle-files.ts";


const refPattern = v.pipe(v.string(), v.regex(/^[A-Za-z0-9._\/*{}-]{1,200}$/, "use a ref pattern such as bot-bottle/x/*"));

export const livePolicySchema = v.strictObject({
  version: v.literal(1),
  /** Bumped by every change. */
  rev: v.number(),
  updatedAt: v.string(),
  /** Who made the last change ("bot-bottle allow", "supervise answer abc123"). */
  by: v.string(),
  /** Hosts allowed on top of the manifest. */
  allow: v.array(hostPattern),
  /** Hosts refused whatever the manifest allows, and never asked about. */
  deny: v.array(hostPattern),
  /** Per git remote: the push patterns now in force (replaces the manifest's list). */
  push: v.record(v.string(), v.array(refPattern)),
});

export type LivePolicy = v.InferOutput<typeof livePolicySchema>;

export function emptyPolicy(): LivePolicy {
  return { version: 1, rev: 0, updatedAt: new Date(0).toISOString(), by: "", allow: [], deny: [], push: {} };
}

/** Parse a policy file's text; a BottleError says what is wrong. */
export function parseLivePolicy(text: string, file: string): LivePolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BottleError("POLICY", `${file} is not JSON: ${(e as Error).message}`, { hint: "rewrite it with `bot-bottle allow` / `deny`" });
  }
  const r = v.safeParse(livePolicySchema, raw);
  if (!r.success) throw new BottleError("POLICY", `${file} is not a valid policy: ${r.issues[0]!.message}`, { hint: "rewrite it with `bot-bottle allow` / `deny`" });
  return r.output;
}

export function readLivePolicy(file: string): LivePolicy {
  if (!existsSync(file)) return emptyPolicy();
  return parseLivePolicy(readFileSync(file, "utf8"), file);
}

const uniq = (xs: string[]) => [...new Set(xs)];

/** Pure: allow hosts (and lift a deny on them). */
export function withAllowed(p: LivePolicy, hosts: string[]): LivePolicy {
  const set = new Set(hosts);
  return { ...p, allow: uniq([...p.allow, ...hosts]), deny: p.deny.filter((h) => !set.has(h)) };
}

/** Pure: deny hosts (and drop a live allow of them). */
export function withDenied(p: LivePolicy, hosts: string[]): LivePolicy {
  const set = new Set(hosts);
  return { ...p, deny: uniq([...p.deny, ...hosts]), allow: p.allow.filter((h) => !set.has(h)) };
}

/** Pure: the push patterns of `repo` become `patterns`. */
export function withPush(p: LivePolicy, repo: string, patterns: string[]): LivePolicy {
  return { ...p, push: { ...p.push, [repo]: uniq(patterns) } };
}

/**
 * Read, change and publish under the policy's lock; returns the new version.
 * The file is 0644: the bundle may run as another user and must read it.
 */
export function updateLivePolicy(file: string, by: string, change: (p: LivePolicy) => LivePolicy, now: Date = new Date()): LivePolicy {
  return withFileLock(`${file}.lock`, () => {
    const cur = readLivePolicy(file);
    const next: LivePolicy = { ...change(cur), rev: cur.rev + 1, by, updatedAt: now.toISOString() };
    const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(tmp, JSON.stringify(next, null, 2) + "\n", { mode: 0o644 });
    renameSync(tmp, file);
    return next;
  });
}

export interface EffectivePolicy {
  rev: number;
  /** Manifest allowlist plus live allows, without denied hosts. */
  allow: string[];
  deny: string[];
  /** repo → push patterns in force. */
  push: Record<string, string[]>;
}

/** Pure: what is in force for a bottle whose manifest said `base`. */
export function effectivePolicy(base: { allow: readonly string[]; push: Record<string, readonly string[]> }, live: LivePolicy): EffectivePolicy {
  const denied = new Set(live.deny);
  const push: Record<string, string[]> = {};
  for (const [repo, patterns] of Object.entries(base.push)) push[repo] = [...(live.push[repo] ?? patterns)];
  return {
    rev: live.rev,
    allow: uniq([...base.allow, ...live.allow]).filter((h) => !denied.has(h)),
    deny: [...live.deny],
    push,
  };
}
