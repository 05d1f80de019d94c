// The ask-to-allow hook at the proxy's decision point: a request refused only
// for want of an allow entry is held while the operator is asked (when the
// bottle has on_deny = "ask"); allowed, it is planned again with the entry
// (for this request alone on "allow once"; "allow" made it live already).
import { parseHostEntry } from "./allowlist.ts";
import type { RequestHead } from "./http-head.ts";
import { askRefused } from "./operator-refusals.ts";
import { planRequest, type Origin, type RequestPlan, type RequestPolicy } from "./request-policy.ts";
import type { EgressAskInput, EgressOutcome } from "../supervise/egress-ask.ts";

export type AskEgress = (q: EgressAskInput) => Promise<EgressOutcome>;

export interface AskContext {
  policy: RequestPolicy;
  /** Present when the bottle asks instead of blocking. */
  askEgress?: AskEgress;
  askTimeoutSeconds?: number;
}

export async function planWithAsk(ctx: AskContext, req: RequestHead, origin?: Origin): Promise<RequestPlan> {
  const plan = planRequest(ctx.policy, req, origin);
  if (plan.kind !== "refuse" || !plan.askable || !ctx.askEgress) return plan;
  const out = await ctx.askEgress({ host: plan.host, port: plan.port, method: req.method, path: plan.auditPath ?? "", entry: plan.askable.entry });
  if (!out.allowed) {
    return { ...plan, askable: undefined, refusal: askRefused(plan.host, plan.port, out.decision, out.note, ctx.askTimeoutSeconds ?? 0) };
  }
  // The policy may have changed while we waited: plan against the current one.
  return planRequest({ ...ctx.policy, allow: [...ctx.policy.allow, parseHostEntry(plan.askable.entry)] }, req, origin);
}
