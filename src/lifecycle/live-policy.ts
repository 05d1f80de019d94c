// The operator's side of the live policy: change a bottle's allow / deny /
// push lists while it runs (the bundle polls the file and applies each
// version whole), show what is in force, and answer ask-to-allow questions
// (which may change the policy and the manifest). Every change is recorded in
// the bottle's audit chain by the host; the bundle records when it applied it.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import type { Database } from "bun:sqlite";
import { appendOnce } from "../bundle/audit-chain/writer.ts";
import { readChain } from "../bundle/audit-chain/read.ts";
import { effectivePolicy, readLivePolicy, updateLivePolicy, withAllowed, withDenied, withPush, type EffectivePolicy, type LivePolicy } from "../bundle/policy/live-policy.ts";
import { readStanding } from "../bundle/supervise/standing.ts";
import { hostPattern } from "../manifest/schema.ts";
import { addAllowEntry } from "../manifest/toml-edit.ts";
import type { BottlePlan } from "../plan/types.ts";
import { DEFAULT_ASK_TIMEOUT } from "../plan/types.ts";
import type { BottleRow } from "../state/bottles.ts";
import { BottleError } from "../util/errors.ts";
import { lineDiff } from "../util/line-diff.ts";
import { answerItem, type InboxItem } from "../supervise/inbox.ts";
import { BUNDLE_FILES, bottleFiles } from "../state/bottle-files.ts";

type Env = Record<string, string | undefined>;

const bundleFolder = (identity: string, env: Env) => bottleFiles(identity, env).bundle;

export function policyFile(identity: string, env: Env = process.env): string {
  return join(bundleFolder(identity, env), BUNDLE_FILES.policy);
}

/** Host patterns from the command line, checked like the manifest's `allow`. */
export function checkHosts(hosts: string[]): string[] {
  if (!hosts.length) throw new BottleError("USAGE", "which hosts? give one or more host patterns", { hint: "e.g. bot-bottle allow ID api.example.com" });
  return hosts.map((h) => {
    const r = v.safeParse(hostPattern, h.trim().toLowerCase());
    if (!r.success) throw new BottleError("USAGE", `${JSON.stringify(h)} is not a host pattern: ${r.issues[0]!.message}`, { hint: "e.g. api.example.com, *.example.com, host:8443" });
    return r.output;
  });
}

/** Push patterns as REPO=PATTERN (or PATTERN when the bottle has one remote). */
function parsePush(plan: BottlePlan, spec: string): { repo: string; pattern: string } {
  const eq = spec.indexOf("=");
  const repo = eq > 0 ? spec.slice(0, eq) : plan.git.length === 1 ? plan.git[0]!.name : "";
  const pattern = eq > 0 ? spec.slice(eq + 1) : spec;
  if (!plan.git.some((g) => g.name === repo)) {
    throw new BottleError("USAGE", `--push ${JSON.stringify(spec)}: ${repo ? `no git remote named ${repo}` : "name the remote as REMOTE=PATTERN"}`, {
      hint: plan.git.length ? `remotes: ${plan.git.map((g) => g.name).join(", ")}` : "this bottle has no [[bottles.NAME.git]] remotes",
    });
  }
  if (!/^[A-Za-z0-9._\/*{}-]{1,200}$/.test(pattern)) throw new BottleError("USAGE", `--push ${JSON.stringify(spec)}: not a ref pattern`, { hint: "e.g. origin=bot-bottle/*" });
  return { repo, pattern: pattern.replaceAll("{slug}", plan.identity) };
}

const basePolicy = (plan: BottlePlan) => ({ allow: plan.allow, push: Object.fromEntries(plan.git.map((g) => [g.name, g.push])) });

export interface PolicyChange {
  allow?: string[];
  deny?: string[];
  /** REMOTE=PATTERN to add (allow) or remove (deny). */
  pushAdd?: string[];
  pushRemove?: string[];
}

/** Write the change (under the policy lock) and record it; returns the new version. */
export async function changePolicy(row: BottleRow, change: PolicyChange, by: string, env: Env = process.env): Promise<LivePolicy> {
  const plan = row.plan;
  const adds = (change.pushAdd ?? []).map((s) => parsePush(plan, s));
  const removes = (change.pushRemove ?? []).map((s) => parsePush(plan, s));
  const file = policyFile(row.identity, env);
  if (!existsSync(bundleFolder(row.identity, env))) {
    throw new BottleError("STATE", `${row.identity} has no bundle folder`, { hint: "the bottle was removed; nothing to change" });
  }
  const next = updateLivePolicy(file, by, (p) => {
    let q = p;
    if (change.allow?.length) q = withAllowed(q, change.allow);
    if (change.deny?.length) q = withDenied(q, change.deny);
    const eff = effectivePolicy(basePolicy(plan), q);
    for (const { repo, pattern } of adds) q = withPush(q, repo, [...(eff.push[repo] ?? []), pattern]);
    for (const { repo, pattern } of removes) q = withPush(q, repo, (effectivePolicy(basePolicy(plan), q).push[repo] ?? []).filter((x) => x !== pattern));
    return q;
  });
  await appendOnce(join(bundleFolder(row.identity, env), BUNDLE_FILES.audit), "policy", "host", {
    event: "changed",
    rev: next.rev,
    by,
    ...(change.allow?.length ? { allow: change.allow } : {}),
    ...(change.deny?.length ? { deny: change.deny } : {}),
    ...(adds.length ? { pushAdd: adds.map((a) => `${a.repo}=${a.pattern}`) } : {}),
    ...(removes.length ? { pushRemove: removes.map((a) => `${a.repo}=${a.pattern}`) } : {}),
  });
  return next;
}

/** The rev the bundle last applied (from its chain records), or -1. */
export function appliedRev(identity: string, env: Env = process.env): number {
  const recs = readChain(bundleFolder(identity, env), { kinds: ["policy"] });
  for (let i = recs.length - 1; i >= 0; i--) {
    const d = recs[i]!.data;
    if (recs[i]!.source === "bundle" && d.event === "applied" && typeof d.rev === "number") return d.rev;
  }
  return -1;
}

/** Wait (bounded) until the running bundle applied `rev`; returns the milliseconds it took, or null. */
export async function waitApplied(identity: string, rev: number, timeoutMs = 3_000, env: Env = process.env): Promise<number | null> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (appliedRev(identity, env) >= rev) return Date.now() - start;
    await Bun.sleep(50);
  }
  return null;
}

export interface PolicyView {
  identity: string;
  status: string;
  onDeny: "block" | "ask";
  askTimeoutSeconds: number;
  manifest: { allow: string[]; push: Record<string, string[]> };
  live: LivePolicy;
  effective: EffectivePolicy;
  /** The policy version the bundle has applied (-1: none yet / not running). */
  appliedRev: number;
  standingApprovals: string[];
}

export function policyView(row: BottleRow, env: Env = process.env): PolicyView {
  const plan = row.plan;
  const live = readLivePolicy(policyFile(row.identity, env));
  const base = basePolicy(plan);
  return {
    identity: row.identity,
    status: row.status,
    onDeny: plan.policy?.onDeny ?? "block",
    askTimeoutSeconds: plan.policy?.askTimeoutSeconds ?? DEFAULT_ASK_TIMEOUT,
    manifest: { allow: [...base.allow], push: Object.fromEntries(Object.entries(base.push).map(([k, p]) => [k, [...p]])) },
    live,
    effective: effectivePolicy(base, live),
    appliedRev: appliedRev(row.identity, env),
    standingApprovals: readStanding(join(bundleFolder(row.identity, env), BUNDLE_FILES.superviseDir)).map((s) => s.pattern),
  };
}

export interface ManifestEdit {
  file: string;
  diff: string;
  changed: boolean;
}

/** The edit "allow and save" makes to the bottle's manifest (not written). */
export function manifestAllowEdit(plan: BottlePlan, entry: string): ManifestEdit & { text: string } {
  if (!plan.manifest || !existsSync(plan.manifest)) {
    throw new BottleError("MANIFEST_NOT_FOUND", `the manifest ${plan.manifest || "(built-in)"} of ${plan.identity} is not a file here`, {
      hint: "answer `allow` (live) and add the host to the manifest by hand",
    });
  }
  const before = readFileSync(plan.manifest, "utf8");
  const edit = addAllowEntry(before, plan.bottle, entry, plan.manifest);
  return { file: plan.manifest, text: edit.text, changed: edit.changed, diff: lineDiff(before, edit.text, plan.manifest) };
}

export function writeManifestEdit(edit: { file: string; text: string; changed: boolean }): void {
  if (!edit.changed) return;
  const tmp = `${edit.file}.bot-bottle.tmp`;
  writeFileSync(tmp, edit.text);
  renameSync(tmp, edit.file);
}

export type AnswerDecision = "approve" | "approve-always" | "deny" | "allow-once" | "allow" | "allow-save" | "deny-always";

const EGRESS: ReadonlySet<string> = new Set(["allow-once", "allow", "allow-save", "deny", "deny-always"]);
const APPROVAL: ReadonlySet<string> = new Set(["approve", "approve-always", "deny"]);

/**
 * Answer a request: policy first (so the bundle finds the new version when it
 * reads the answer), then the manifest for allow-save, then the answer itself.
 */
export async function answerRequest(
  db: Database,
  row: BottleRow | null,
  item: InboxItem,
  decision: AnswerDecision,
  opts: { note?: string; pattern?: string; edit?: ManifestEdit & { text: string } } = {},
  env: Env = process.env,
) {
  const kind = item.request.kind;
  const fits = kind === "egress" ? EGRESS.has(decision) : APPROVAL.has(decision);
  if (!fits) {
    throw new BottleError("USAGE", `${decision} does not answer ${kind === "egress" ? "a request to reach a host" : "an approval"}`, {
      hint: kind === "egress" ? "use allow-once, allow, allow-save, deny or deny-always" : "use approve, approve-always or deny",
      exitCode: 2,
    });
  }
  const entry = item.request.egress?.entry;
  if (kind === "egress" && entry && (decision === "allow" || decision === "allow-save" || decision === "deny-always")) {
    // The entry came from the bundle's question, built from what the agent asked for: a
    // request names one host, never a pattern, so anything else is not written into a policy.
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/.test(entry) || checkHosts([entry])[0] !== entry) {
      throw new BottleError("USAGE", `the request names ${JSON.stringify(entry)}, which is not a single host to ${decision}`, {
        hint: "answer allow-once or deny, and change the policy by hand if needed",
      });
    }
    if (!row) throw new BottleError("BOTTLE_NOT_FOUND", `no bottle ${item.identity}`, { hint: "`bot-bottle ls` lists them" });
    const by = `supervise ${decision} ${item.request.id}`;
    await changePolicy(row, decision === "deny-always" ? { deny: [entry] } : { allow: [entry] }, by, env);
    if (decision === "allow-save") writeManifestEdit(opts.edit ?? manifestAllowEdit(row.plan, entry));
  }
  return answerItem(db, item, decision, opts.note ?? "", new Date(), opts.pattern);
}
