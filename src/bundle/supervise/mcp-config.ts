// How an agent finds the supervise MCP server. Pure: the claude provider calls
// these to write the MCP config file into the bottle and to extend the claude
// command line.
import { BOTTLE_ETC, PORTS } from "../../plan/bottle-paths.ts";
import type { BottlePlan } from "../../plan/types.ts";
import type { AgentFile } from "../../plan/types.ts";
import { MCP_PATH } from "./server-path.ts";

/** Where the claude provider writes the MCP config inside the bottle (no secrets in it). */
export const CLAUDE_MCP_CONFIG_FILE = `${BOTTLE_ETC}/mcp.json`;

/** Name of the MCP server as the agent sees it: tools appear as mcp__bot-bottle__request_approval. */
export const MCP_SERVER_NAME = "bot-bottle";

export function superviseUrl(bundleIp: string, port: number = PORTS.supervise): string {
  return `http://${bundleIp}:${port}${MCP_PATH}`;
}

export interface ClaudeMcpConfig {
  mcpServers: Record<string, { type: "http"; url: string }>;
}

/** Claude Code's MCP config (the JSON `--mcp-config FILE` reads). */
export function claudeMcpConfig(bundleIp: string, port: number = PORTS.supervise): ClaudeMcpConfig {
  return { mcpServers: { [MCP_SERVER_NAME]: { type: "http", url: superviseUrl(bundleIp, port) } } };
}

/** Claude flags that load the config. */
export function claudeMcpFlags(configFile: string): string[] {
  return ["--mcp-config", configFile];
}

/**
 * Claude's names of the tools, for `--allowedTools` when the provider does not
 * skip permissions: asking the operator is always fine, and a permission
 * prompt for it would be one nobody sees in a non-interactive run.
 */
export const CLAUDE_SUPERVISE_TOOLS = [`mcp__${MCP_SERVER_NAME}__request_approval`, `mcp__${MCP_SERVER_NAME}__notify`];

/** A line for the agent's system prompt, so it knows the tools are there and when to use them. */
export const SUPERVISE_PROMPT =
  "You can reach the human operator through the bot-bottle MCP tools: call request_approval(action, reason) " +
  "before any risky or irreversible action and proceed only when the decision is \"approve\"; " +
  "call notify(message) to report progress or problems.";

/** The claude provider's files for supervise: the MCP config, when the bottle has supervise on. */
export function claudeSuperviseFiles(plan: BottlePlan): AgentFile[] {
  if (!plan.supervise) return [];
  const content = JSON.stringify(claudeMcpConfig(plan.network.bundleIp, plan.ports.supervise), null, 2) + "\n";
  return [{ path: CLAUDE_MCP_CONFIG_FILE, content, mode: 0o644 }];
}

/** The claude provider's extra flags for supervise (append to taskCommand and sessionCommand argv). */
export function claudeSuperviseArgs(plan: BottlePlan): string[] {
  return plan.supervise ? claudeMcpFlags(CLAUDE_MCP_CONFIG_FILE) : [];
}
