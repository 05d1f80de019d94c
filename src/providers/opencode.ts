// opencode (`opencode-ai`, a native Bun-compiled binary): `opencode run TASK`
// for runs, `opencode` (its TUI) for sessions. Its global config allows every
// tool without asking (the bottle is the boundary), turns off autoupdate and
// sharing, and registers the bundle's MCP server; its global AGENTS.md
// carries the agent's prompt. It talks to Anthropic through the bundle's
// anthropic-api-key route like Claude Code (ANTHROPIC_API_KEY placeholder).
import { AGENT_HOME } from "../plan/bottle-paths.ts";
import type { BottlePlan } from "../plan/types.ts";
import type { AgentFile, ProviderSpec } from "./types.ts";
import { MCP_SERVER_NAME, SUPERVISE_PROMPT, superviseUrl } from "../bundle/supervise/mcp-config.ts";

export const OPENCODE_CONFIG_DIR = `${AGENT_HOME}/.config/opencode`;
export const OPENCODE_CONFIG_FILE = `${OPENCODE_CONFIG_DIR}/opencode.json`;
export const OPENCODE_RULES_FILE = `${OPENCODE_CONFIG_DIR}/AGENTS.md`;

/** opencode names models provider/model; a bare agent `model` is an Anthropic one (the route it has). */
export function opencodeModel(model: string | undefined): string | undefined {
  if (!model) return undefined;
  return model.includes("/") ? model : `anthropic/${model}`;
}

function modelArgs(plan: BottlePlan): string[] {
  const m = opencodeModel(plan.agent.model);
  return m ? ["--model", m] : [];
}

/** ~/.config/opencode/opencode.json: no secrets in it (the key is the env placeholder). */
export function opencodeConfig(plan: BottlePlan): Record<string, unknown> {
  const config: Record<string, unknown> = {
    $schema: "https://opencode.ai/config.json",
    autoupdate: false,
    share: "disabled",
    // Every tool without a prompt: nobody answers one in `run`, and the bottle is the wall.
    permission: "allow",
  };
  if (plan.supervise) {
    config.mcp = { [MCP_SERVER_NAME]: { type: "remote", url: superviseUrl(plan.network.bundleIp, plan.ports.supervise), enabled: true } };
  }
  return config;
}

export function opencodeFiles(plan: BottlePlan): AgentFile[] {
  const files: AgentFile[] = [{ path: OPENCODE_CONFIG_FILE, content: JSON.stringify(opencodeConfig(plan), null, 2) + "\n", mode: 0o644 }];
  const rules = [plan.agent.prompt.trim(), plan.supervise ? SUPERVISE_PROMPT : ""].filter(Boolean).join("\n\n");
  if (rules) files.push({ path: OPENCODE_RULES_FILE, content: rules + "\n", mode: 0o600 });
  return files;
}

export const opencode: ProviderSpec = {
  name: "opencode",
  // ripgrep from Debian: without rg on PATH opencode downloads it from GitHub (refused in a bottle).
  recipe: { apt: ["nodejs", "npm", "ripgrep"], npm: ["opencode-ai"] },
  taskCommand: (plan, task) => ["opencode", "run", ...modelArgs(plan), task],
  sessionCommand: (plan) => ["opencode", ...modelArgs(plan)],
  defaultRunCommand: () => undefined,
  skillsDir: `${OPENCODE_CONFIG_DIR}/skills`,
  files: opencodeFiles,
};
