// What Codex CLI reads from CODEX_HOME (~/.codex), written at provisioning so
// it never asks to log in, never sandboxes itself (the bottle is the
// boundary), never phones home for updates or analytics, and finds the
// bundle's MCP server. Pure: the provider turns these into AgentFiles.
import { stringify } from "smol-toml";
import { AGENT_HOME } from "../plan/bottle-paths.ts";
import type { BottlePlan, CredentialInjection } from "../plan/types.ts";
import { MCP_SERVER_NAME, SUPERVISE_PROMPT, superviseUrl } from "../bundle/supervise/mcp-config.ts";

export const CODEX_HOME = `${AGENT_HOME}/.codex`;
export const CODEX_CONFIG_FILE = `${CODEX_HOME}/config.toml`;
export const CODEX_AUTH_FILE = `${CODEX_HOME}/auth.json`;
/** Codex's global instructions: read into every session's context. */
export const CODEX_AGENTS_FILE = `${CODEX_HOME}/AGENTS.md`;
/** Codex's user skills folder ($CODEX_HOME/skills/<name>/SKILL.md). */
export const CODEX_SKILLS_DIR = `${CODEX_HOME}/skills`;

/** The variable Codex's API-key login is named after; routes of kind openai put their placeholder there. */
export const OPENAI_KEY_ENV = "OPENAI_API_KEY";

/**
 * The route whose placeholder Codex presents as its API key: an `openai`
 * route, else any route whose placeholder lives in OPENAI_API_KEY (a
 * `bearer` route to a gateway).
 */
export function codexKeyRoute(plan: BottlePlan): CredentialInjection | undefined {
  const creds = plan.egress.flatMap((r) => (r.credential ? [r.credential] : []));
  return creds.find((c) => c.kind === "openai") ?? creds.find((c) => c.env === OPENAI_KEY_ENV);
}

/**
 * auth.json as `codex login --with-api-key` writes it, holding the
 * placeholder: Codex 0.17x ignores OPENAI_API_KEY in its environment and
 * sends no Authorization header without this file.
 */
export function codexAuthJson(plan: BottlePlan): string | undefined {
  const key = codexKeyRoute(plan)?.placeholder;
  if (!key) return undefined;
  return JSON.stringify({ auth_mode: "apikey", OPENAI_API_KEY: key }, null, 2) + "\n";
}

/** config.toml: every key here is one `codex --strict-config` accepts (checked against 0.171.0). */
/** How long the bundle's request_approval waits for an answer (it then counts as denied). */
export const SUPERVISE_TIMEOUT_S = 600;

export function codexConfig(plan: BottlePlan): Record<string, unknown> {
  const config: Record<string, unknown> = {
    // The bottle is the sandbox: Codex's own (bubblewrap/landlock) cannot run unprivileged here anyway.
    approval_policy: "never",
    sandbox_mode: "danger-full-access",
    // The npm registry is not on the allowlist; an update check would only be refused.
    check_for_update_on_startup: false,
    analytics: { enabled: false },
    feedback: { enabled: false },
    otel: { exporter: "none", log_user_prompt: false },
    notice: { hide_full_access_warning: true },
    // Startup calls the allowlist would only refuse: the curated plugin catalog
    // (github.com, api.github.com, chatgpt.com), ChatGPT apps, the model list
    // (chatgpt.com/backend-api/codex/models, retried ~20 times) and in-app updates.
    features: { plugins: false, remote_plugin: false, apps: false, in_app_updates: false, api_key_model_discovery: false },
    // No "do you trust this folder?" question on the first session.
    projects: { [plan.workdir]: { trust_level: "trusted" } },
  };
  if (plan.supervise) {
    // Streamable HTTP straight to the bundle (NO_PROXY holds its address).
    // request_approval waits up to SUPERVISE_TIMEOUT_S for the operator; Codex's default tool timeout is 60 s.
    config.mcp_servers = {
      [MCP_SERVER_NAME]: { url: superviseUrl(plan.network.bundleIp, plan.ports.supervise), startup_timeout_sec: 20, tool_timeout_sec: SUPERVISE_TIMEOUT_S + 60 },
    };
  }
  return config;
}

export function codexConfigToml(plan: BottlePlan): string {
  return "# Written by bot-bottle at provisioning; the bottle, not Codex, is the sandbox.\n" + stringify(codexConfig(plan)) + "\n";
}

/** AGENTS.md: the agent's prompt, and with supervise on, what the operator's tools are for. */
export function codexInstructions(plan: BottlePlan): string {
  const parts = [plan.agent.prompt.trim(), plan.supervise ? SUPERVISE_PROMPT : ""].filter(Boolean);
  return parts.length ? parts.join("\n\n") + "\n" : "";
}
