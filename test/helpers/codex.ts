// Shared setup of the real-Codex e2e tests: a key shaped like a real OpenAI
// project key and the manifest of a codex bottle whose OpenAI route leads to
// the fake Responses API.

/** Same shape as a real OpenAI project key, random per run so nothing can have it baked in. */
export function fakeOpenAIKey(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const bytes = crypto.getRandomValues(new Uint8Array(156));
  return `sk-proj-${[...bytes].map((b) => alphabet[b % 64]).join("")}`;
}

export const OPENAI_KEY_VAR = "TEST_REAL_OPENAI_KEY";

export interface CodexManifestOptions {
  bottle: string;
  upstream: string;
  extra?: string[];
}

export function codexManifest(o: CodexManifestOptions): string {
  return `
version = 1
[bottles.${o.bottle}]
agent = "coder"
provider = "codex"
copy_cwd = true
${(o.extra ?? []).join("\n")}

[[bottles.${o.bottle}.egress]]
host = "api.openai.com"
kind = "openai"
credential = "\${${OPENAI_KEY_VAR}}"
upstream = "${o.upstream}"
`;
}

/** A skill, to prove it lands where Codex lists skills to the model. */
export const CODEX_SKILL = "---\nname: bottle-probe\ndescription: Probe skill installed by the bot-bottle e2e test.\n---\nSay hello.\n";

export const CODEX_AGENT = '+++\ndescription = "e2e"\nskills = ["bottle-probe"]\n+++\nDo exactly the task you are given. (codex-e2e-prompt-marker)\n';
