// `bot-bottle policy ID [--json]`: what a bottle may reach and push to now:
// the manifest's lists, the operator's live changes, what is in force, and
// whether the running bundle has applied the latest version.
import { defineCommand } from "citty";
import { lookUpBottle } from "./cli-support.ts";
import { policyView } from "../lifecycle/live-policy.ts";
import { inert } from "../util/inert.ts";
import { jsonArg, printJson } from "./common.ts";

export default defineCommand({
  meta: { name: "policy", description: "Show a bottle's allowlist and push patterns in force (manifest + live changes)" },
  args: {
    id: { type: "positional", required: true, description: "Bottle identity (or a unique prefix)", valueHint: "ID" },
    ...jsonArg,
  },
  async run({ args }) {
    const row = lookUpBottle(args.id);
    const view = policyView(row);
    if (args.json) return printJson(view);
    const out: string[] = [];
    const live = new Set(view.live.allow);
    out.push(`${view.identity}  ${view.status}  on_deny = ${view.onDeny}${view.onDeny === "ask" ? ` (held up to ${view.askTimeoutSeconds}s)` : ""}`);
    const applied =
      view.live.rev === 0 ? "no live changes" : view.appliedRev >= view.live.rev ? `live rev ${view.live.rev}, applied` : `live rev ${view.live.rev}, not applied yet (applied: ${view.appliedRev < 0 ? "none" : view.appliedRev})`;
    out.push(`policy: ${applied}${view.live.by ? `; last change by ${view.live.by} at ${view.live.updatedAt}` : ""}`);
    out.push("allow:");
    if (!view.effective.allow.length) out.push("  (nothing: every host is refused)");
    for (const h of view.effective.allow) out.push(`  ${h}${live.has(h) && !view.manifest.allow.includes(h) ? "  (live)" : ""}`);
    if (view.effective.deny.length) {
      out.push("deny (never asked about):");
      for (const h of view.effective.deny) out.push(`  ${h}${view.manifest.allow.includes(h) ? "  (overrides the manifest)" : ""}`);
    }
    for (const [repo, patterns] of Object.entries(view.effective.push)) {
      const changed = view.live.push[repo] !== undefined;
      out.push(`push ${repo}: ${patterns.join(", ") || "(nothing)"}${changed ? "  (live)" : ""}`);
    }
    if (view.standingApprovals.length) {
      out.push("approved always (request_approval):");
      // Patterns came from answers to the agent's own action text.
      for (const p of view.standingApprovals) out.push(`  ${inert(p)}`);
    }
    process.stdout.write(out.join("\n") + "\n");
  },
});
