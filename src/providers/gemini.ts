// Gemini CLI (`@google/gemini-cli`): `gemini -p TASK` for runs, `gemini` for
// sessions, both with approvals off (`--approval-mode yolo`): the bottle, not
// the prompt, is the boundary. Its settings file turns off what would phone
// home (usage statistics, telemetry, update checks) and registers the bundle's
// MCP server; its global context file GEMINI.md carries the agent's prompt.
import { AGENT_HOME } from "../plan/bottle-paths.ts";
import type { BottlePlan } from "../plan/types.ts";
import type { AgentFile, ProviderSpec } from "./types.ts";
import { MCP_SERVER_NAME, SUPERVISE_PROMPT, superviseUrl } from "../bundle/supervise/mcp-config.ts";

export const GEMINI_DIR = `${AGENT_HOME}/.gemini`;
export const GEMINI_SETTINGS_FILE = `${GEMINI_DIR}/settings.json`;
export const GEMINI_CONTEXT_FILE = `${GEMINI_DIR}/GEMINI.md`;

/** Gemini CLI 0.61 needs Node 20 or newer; Debian bookworm ships 18. */
export const GEMINI_NODE_MAJOR = 22;

function modelArgs(plan: BottlePlan): string[] {
  return plan.agent.model ? ["--model", plan.agent.model] : [];
}

/** ~/.gemini/settings.json: no secrets in it (the key is the env placeholder). */
export function geminiSettings(plan: BottlePlan): Record<string, unknown> {
  const settings: Record<string, unknown> = {
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    security: {
      // The key comes from GEMINI_API_KEY (the bundle swaps the placeholder): never an auth dialog.
      auth: { selectedType: "gemini-api-key" },
      // Folder trust asks before trusting the workdir; the bottle is the trust boundary.
      folderTrust: { enabled: false },
    },
  };
  if (plan.supervise) {
    // Streamable HTTP; `trust` skips Gemini CLI's own confirmation for the operator's tools.
    settings.mcpServers = { [MCP_SERVER_NAME]: { type: "http", url: superviseUrl(plan.network.bundleIp, plan.ports.supervise), trust: true } };
  }
  return settings;
}

/** The agent's prompt (and, with supervise, what the operator's tools are for). */
export function contextText(plan: BottlePlan): string {
  return [plan.agent.prompt.trim(), plan.supervise ? SUPERVISE_PROMPT : ""].filter(Boolean).join("\n\n");
}

export function geminiFiles(plan: BottlePlan): AgentFile[] {
  const files: AgentFile[] = [{ path: GEMINI_SETTINGS_FILE, content: JSON.stringify(geminiSettings(plan), null, 2) + "\n", mode: 0o644 }];
  const context = contextText(plan);
  if (context) files.push({ path: GEMINI_CONTEXT_FILE, content: context + "\n", mode: 0o600 });
  return files;
}

export const gemini: ProviderSpec = {
  name: "gemini",
  // ripgrep: its search tool's fast path (it falls back to a slower built-in grep without it).
  recipe: { apt: ["nodejs", "npm", "ripgrep"], npm: ["@google/gemini-cli"], node: GEMINI_NODE_MAJOR },
  taskCommand: (plan, task) => ["gemini", "--approval-mode", "yolo", ...modelArgs(plan), "--prompt", task],
  sessionCommand: (plan) => ["gemini", "--approval-mode", "yolo", ...modelArgs(plan)],
  defaultRunCommand: () => undefined,
  skillsDir: `${GEMINI_DIR}/skills`,
  files: geminiFiles,
};
