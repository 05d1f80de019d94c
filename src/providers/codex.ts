// OpenAI Codex CLI: `codex exec TASK` for runs, `codex` for sessions. Approvals
// and Codex's own sandbox are off on purpose: the bottle, not the prompt, is
// the boundary. Its login, config, instructions and skills live in CODEX_HOME
// (~/.codex); see codex-config.ts.
import type { BottlePlan } from "../plan/types.ts";
import type { AgentFile, ProviderSpec } from "./types.ts";
import { CODEX_AGENTS_FILE, CODEX_AUTH_FILE, CODEX_CONFIG_FILE, CODEX_SKILLS_DIR, codexAuthJson, codexConfigToml, codexInstructions } from "./codex-config.ts";

function modelArgs(plan: BottlePlan): string[] {
  return plan.agent.model ? ["--model", plan.agent.model] : [];
}

const BYPASS = "--dangerously-bypass-approvals-and-sandbox";

export const codex: ProviderSpec = {
  name: "codex",
  // procps: the interactive TUI records its background app-server with `ps` and exits without it.
  recipe: { apt: ["nodejs", "npm", "procps"], npm: ["@openai/codex"] },
  // --skip-git-repo-check: a cwd that is not a git repo is still the agent's workdir.
  taskCommand: (plan, task) => ["codex", "exec", BYPASS, "--skip-git-repo-check", ...modelArgs(plan), "--", task],
  sessionCommand: (plan) => ["codex", BYPASS, ...modelArgs(plan)],
  defaultRunCommand: () => undefined,
  skillsDir: CODEX_SKILLS_DIR,
  files(plan) {
    const files: AgentFile[] = [{ path: CODEX_CONFIG_FILE, content: codexConfigToml(plan), mode: 0o600 }];
    const auth = codexAuthJson(plan);
    if (auth) files.push({ path: CODEX_AUTH_FILE, content: auth, mode: 0o600 });
    const instructions = codexInstructions(plan);
    if (instructions) files.push({ path: CODEX_AGENTS_FILE, content: instructions, mode: 0o600 });
    return files;
  },
};
