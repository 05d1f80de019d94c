// Provider lookup and the one decision every backend shares: which argv the
// agent runs for an attach.
import { BottleError } from "../util/errors.ts";
import type { AttachOptions } from "./types.ts";
import type { BottlePlan } from "../plan/types.ts";
import type { Provider } from "../manifest/schema.ts";
import { claude } from "./claude.ts";
import { codex } from "./codex.ts";
import { gemini } from "./gemini.ts";
import { opencode } from "./opencode.ts";
import { shell } from "./shell.ts";
import type { ProviderSpec } from "./types.ts";

export type { ProviderSpec, ImageRecipe, AgentFile } from "./types.ts";

const PROVIDERS: Record<Provider, ProviderSpec> = { claude, codex, gemini, opencode, shell };

export function providerSpec(name: Provider): ProviderSpec {
  const p = PROVIDERS[name];
  if (!p) throw new BottleError("INTERNAL", `unknown provider ${name}`);
  return p;
}

/** `-- cmd` wins; then `-p TASK`; then the session or the provider's default run. */
export function agentCommand(plan: BottlePlan, opts: AttachOptions): string[] {
  if (opts.command?.length) return opts.command;
  const p = providerSpec(plan.provider);
  if (opts.prompt !== undefined) return p.taskCommand(plan, opts.prompt);
  if (opts.interactive) return p.sessionCommand(plan);
  const cmd = p.defaultRunCommand(plan);
  if (!cmd) {
    throw new BottleError("USAGE", `a ${plan.provider} bottle needs a task to run non-interactively`, {
      hint: `pass -p "TASK", or -- COMMAND…, or use \`bot-bottle launch ${plan.bottle}\` for a session`,
    });
  }
  return cmd;
}
