// Claude Code: `claude -p TASK` for runs, `claude` for sessions. Permissions
// are skipped on purpose: the bottle, not the prompt, is the boundary.
import { AGENT_HOME, AGENT_PROMPT_FILE } from "../plan/bottle-paths.ts";
import type { BottlePlan } from "../plan/types.ts";
import type { ProviderSpec } from "./types.ts";
import { claudeSuperviseArgs, claudeSuperviseFiles } from "../bundle/supervise/mcp-config.ts";

function modelArgs(plan: BottlePlan): string[] {
  return plan.agent.model ? ["--model", plan.agent.model] : [];
}

const hasPrompt = (plan: BottlePlan) => plan.agent.prompt.trim().length > 0;

export const claude: ProviderSpec = {
  name: "claude",
  recipe: { apt: ["nodejs", "npm"], npm: ["@anthropic-ai/claude-code"] },
  taskCommand(plan, task) {
    const argv = ["claude", "-p", task, "--dangerously-skip-permissions", ...modelArgs(plan), ...claudeSuperviseArgs(plan)];
    // An empty file would still be read; only pass it when there is something to add.
    if (hasPrompt(plan)) argv.push("--append-system-prompt-file", AGENT_PROMPT_FILE);
    return argv;
  },
  sessionCommand(plan) {
    const argv = ["claude", "--dangerously-skip-permissions", ...modelArgs(plan), ...claudeSuperviseArgs(plan)];
    if (!hasPrompt(plan)) return argv;
    // The -file flag is documented for print mode only; sessions take the text.
    return ["sh", "-c", 'exec "$@" --append-system-prompt "$(cat "$0")"', AGENT_PROMPT_FILE, ...argv];
  },
  defaultRunCommand: () => undefined,
  skillsDir: `${AGENT_HOME}/.claude/skills`,
  // supervise = true registers the bundle's MCP server (request_approval, notify).
  files: (plan) => claudeSuperviseFiles(plan),
};
