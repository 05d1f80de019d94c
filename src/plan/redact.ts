// Plans are printed (plan, --dry-run, preflight) and stored (sqlite): never with secrets.
import { REDACTED, redactVars } from "../env/resolve.ts";
import type { BottlePlan } from "./types.ts";

export function redactPlan(plan: BottlePlan): BottlePlan {
  return { ...plan, env: redactVars(plan.env), bundleEnv: redactVars(plan.bundleEnv) };
}

/** Every secret value in the plan: the DLP scanner blocks these leaving the bottle.
 * Short values (< 8) would match by accident; a redacted plan has none left. */
export function secretValues(plan: BottlePlan): string[] {
  return [...plan.env, ...plan.bundleEnv].filter((v) => v.secret && v.value.length >= 8 && v.value !== REDACTED).map((v) => v.value);
}
