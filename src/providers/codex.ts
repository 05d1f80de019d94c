// OpenAI Codex CLI: `codex exec TASK` for runs, `codex` for sessions. Its
// system prompt is the global AGENTS.md in CODEX_HOME (~/.codex).
import { AGENT_HOME } from "../plan/bottle-paths.ts";
import type { BottlePlan } from "../plan/types.ts";
import type { ProviderSpec } from "./types.ts";

function modelArgs(plan: BottlePlan): string[] {
  return plan.agent.model ? ["--model", plan.agent.model] : [];
}

export const codex: ProviderSpec = {
  name: "codex",
  recipe: { apt: ["nodejs", "npm"], npm: ["@openai/codex"] },
  taskCommand: (plan, task) => ["codex", "exec", "--dangerously-bypass-approvals-and-sandbox", ...modelArgs(plan), task],
  sessionCommand: (plan) => ["codex", "--dangerously-bypass-approvals-and-sandbox", ...modelArgs(plan)],
  defaultRunCommand: () => undefined,
  files(plan) {
    const prompt = plan.agent.prompt.trim();
    return prompt ? [{ path: `${AGENT_HOME}/.codex/AGENTS.md`, content: prompt + "\n", mode: 0o600 }] : [];
  },
};
