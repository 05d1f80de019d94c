// Manifests of the non-Claude real-agent e2e tests: a bottle whose model
// route leads to a fake API the test runs on the host.
import { REAL_KEY_VAR } from "./claude.ts";

export interface AgentManifestOptions {
  bottle: string;
  provider: "gemini" | "opencode";
  /** The fake API's URL, as the bundle reaches it. */
  upstream: string;
  extra?: string[];
}

const ROUTES = {
  gemini: { host: "generativelanguage.googleapis.com", kind: "gemini-api-key" },
  opencode: { host: "api.anthropic.com", kind: "anthropic-api-key" },
} as const;

export function agentManifest(o: AgentManifestOptions): string {
  const r = ROUTES[o.provider];
  return `
version = 1
[bottles.${o.bottle}]
agent = "coder"
provider = "${o.provider}"
copy_cwd = true
${(o.extra ?? []).join("\n")}

[[bottles.${o.bottle}.egress]]
host = "${r.host}"
kind = "${r.kind}"
credential = "\${${REAL_KEY_VAR}}"
upstream = "${o.upstream}"
`;
}

/** An agent with one skill, and the skill's folder: the skill's description reaching the model proves it landed where the agent reads skills. */
export function agentWithSkill(marker: string): { agent: string; files: Record<string, string> } {
  return {
    agent: '+++\ndescription = "e2e"\nskills = ["review"]\n+++\nDo exactly the task you are given.\n',
    files: { "skills/review/SKILL.md": `---\nname: review\ndescription: Review code for ${marker}\n---\nRead the diff, then list problems.\n` },
  };
}

/** Same shape as a real Google API key (AIza + 35 of [A-Za-z0-9_-]), random per run. */
export function fakeGeminiKey(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  return `AIza${[...crypto.getRandomValues(new Uint8Array(35))].map((b) => alphabet[b % 64]).join("")}`;
}
