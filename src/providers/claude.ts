// Claude Code: `claude -p TASK` for runs, `claude` for sessions. Permissions
// are skipped on purpose: the bottle, not the prompt, is the boundary.
import { AGENT_HOME, AGENT_PROMPT_FILE } from "../plan/bottle-paths.ts";
import type { BottlePlan } from "../plan/types.ts";
import type { ProviderSpec } from "./types.ts";
import { SUPERVISE_PROMPT, claudeSuperviseArgs, claudeSuperviseFiles } from "../bundle/supervise/mcp-config.ts";

function modelArgs(plan: BottlePlan): string[] {
  return plan.agent.model ? ["--model", plan.agent.model] : [];
}

const hasPrompt = (plan: BottlePlan) => plan.agent.prompt.trim().length > 0;

/**
 * Claude Code defers MCP tools (only their names reach the model), so with
 * supervise on the system prompt says what the operator's tools are for.
 */
const supervisePrompt = (plan: BottlePlan) => (plan.supervise ? SUPERVISE_PROMPT : "");

/** Session with the agent's prompt file: one --append-system-prompt (a second would replace the first). */
export const SESSION_PROMPT_SCRIPT = 'exec "$@" --append-system-prompt "$(cat "$0")"';
/** The same, with more text ($1) after the file's. */
export const SESSION_PROMPT_PLUS_SCRIPT = 's=$1; shift; exec "$@" --append-system-prompt "$(cat "$0")$s"';

export const claude: ProviderSpec = {
  name: "claude",
  recipe: { apt: ["nodejs", "npm"], npm: ["@anthropic-ai/claude-code"] },
  taskCommand(plan, task) {
    const argv = ["claude", "-p", task, "--dangerously-skip-permissions", ...modelArgs(plan), ...claudeSuperviseArgs(plan)];
    // Print mode joins --append-system-prompt and --append-system-prompt-file.
    if (supervisePrompt(plan)) argv.push("--append-system-prompt", supervisePrompt(plan));
    // An empty file would still be read; only pass it when there is something to add.
    if (hasPrompt(plan)) argv.push("--append-system-prompt-file", AGENT_PROMPT_FILE);
    return argv;
  },
  sessionCommand(plan) {
    const argv = ["claude", "--dangerously-skip-permissions", ...modelArgs(plan), ...claudeSuperviseArgs(plan)];
    const extra = supervisePrompt(plan);
    if (!hasPrompt(plan)) return extra ? [...argv, "--append-system-prompt", extra] : argv;
    // The -file flag is documented for print mode only; sessions take the text.
    if (!extra) return ["sh", "-c", SESSION_PROMPT_SCRIPT, AGENT_PROMPT_FILE, ...argv];
    return ["sh", "-c", SESSION_PROMPT_PLUS_SCRIPT, AGENT_PROMPT_FILE, `\n\n${extra}`, ...argv];
  },
  defaultRunCommand: () => undefined,
  skillsDir: `${AGENT_HOME}/.claude/skills`,
  // supervise = true registers the bundle's MCP server (request_approval, notify).
  files: (plan) => claudeSuperviseFiles(plan),
};
