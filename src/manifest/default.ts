// The built-in default manifest: used when there is no bot-bottle.toml, so a
// fresh machine can run `bot-bottle run demo` with nothing but docker.

export const DEFAULT_MANIFEST_NAME = "<built-in default manifest>";

export const DEFAULT_MANIFEST_TOML = `
version = 1

# A shell bottle that shows what the bottle allows and what it stops.
[bottles.demo]
agent = "demo"
provider = "shell"
allow = ["example.com"]
command = ["bot-bottle-demo"]

# Claude Code with the operator's API key held by the bundle, never the agent.
[bottles.claude]
agent = "coder"
provider = "claude"
copy_cwd = true

[[bottles.claude.egress]]
host = "api.anthropic.com"
kind = "anthropic-api-key"
credential = "\${ANTHROPIC_API_KEY}"

# Codex CLI, likewise with OpenAI.
[bottles.codex]
agent = "coder"
provider = "codex"
copy_cwd = true

[[bottles.codex.egress]]
host = "api.openai.com"
kind = "openai"
credential = "\${OPENAI_API_KEY}"

# Gemini CLI with the operator's Gemini API key.
[bottles.gemini]
agent = "coder"
provider = "gemini"
copy_cwd = true

[[bottles.gemini.egress]]
host = "generativelanguage.googleapis.com"
kind = "gemini-api-key"
credential = "\${GEMINI_API_KEY}"

# opencode on Anthropic models, with the operator's Anthropic API key.
[bottles.opencode]
agent = "coder"
provider = "opencode"
copy_cwd = true

[[bottles.opencode.egress]]
host = "api.anthropic.com"
kind = "anthropic-api-key"
credential = "\${ANTHROPIC_API_KEY}"
`;

export const DEFAULT_AGENTS: Record<string, string> = {
  demo: `+++
description = "Shows the walls of a bottle"
+++
You are a demonstration agent. Explore the environment and report what you can and cannot reach.
`,
  coder: `+++
description = "A careful coding agent"
+++
You work inside a bot-bottle: an isolated container whose network is limited to an allowlist.
Work in the current directory. Commit your work to git when you finish a task.
`,
};
