// Shared setup of the real-Claude-Code e2e tests: a key the fake API accepts
// and the manifest of a claude bottle whose Anthropic route leads to the fake.

/** Same shape as a real Anthropic key, random per run so nothing can have it baked in. */
export function fakeRealKey(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const bytes = crypto.getRandomValues(new Uint8Array(93));
  return `sk-ant-api03-${[...bytes].map((b) => alphabet[b % 64]).join("")}AA`;
}

/** Host env variable the manifest names for the real key. */
export const REAL_KEY_VAR = "TEST_REAL_KEY";

export interface ClaudeManifestOptions {
  bottle: string;
  /** The fake API's URL, as the bundle reaches it. */
  upstream: string;
  /** Extra `key = value` lines for the bottle table (e.g. `supervise = true`). */
  extra?: string[];
}

export function claudeManifest(o: ClaudeManifestOptions): string {
  return `
version = 1
[bottles.${o.bottle}]
agent = "coder"
provider = "claude"
copy_cwd = true
${(o.extra ?? []).join("\n")}

[[bottles.${o.bottle}.egress]]
host = "api.anthropic.com"
kind = "anthropic-api-key"
credential = "\${${REAL_KEY_VAR}}"
upstream = "${o.upstream}"
`;
}

export const CODER_AGENT = '+++\ndescription = "e2e"\n+++\nDo exactly the task you are given.\n';
