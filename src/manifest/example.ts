// What `bot-bottle init` writes: a commented manifest and one agent file.
export const EXAMPLE_MANIFEST = `# bot-bottle manifest — see README.md "Manifest reference".
# Lines marked "(default: …)" change a default; commented-out lines show it.
version = 1
# agents_dir = "agents"   # agent markdown files: <agents_dir>/<name>.md
# skills_dir = "skills"   # skill folders:        <skills_dir>/<name>/SKILL.md

[bottles.dev]
agent = "dev"                 # agents/dev.md
provider = "claude"           # claude | codex | gemini | opencode | shell
# backend = "docker"          # docker | smolmachines
# base_image = "debian:bookworm-slim"
copy_cwd = true               # copy the current directory into the bottle (default: false, an empty workdir)
# supervise = false           # true lets the agent ask you for approval (MCP)
# dlp = true                  # scan outbound requests for secrets
# cpus = 2                    # (default: no limit)
# memory = "4g"               # the agent's memory limit
# bundle_memory = "768m"      # the bundle's memory limit
allow = ["registry.npmjs.org", "*.github.com"]   # everything else is blocked (default: [], nothing)

[bottles.dev.env]
GREETING = "hello"                    # a literal
# TICKET = "?Which ticket is this for"  # asked when you launch (or --env TICKET=…)
# EDITOR = "\${EDITOR}"                 # copied from your environment

# The agent gets a placeholder ANTHROPIC_API_KEY; the bundle swaps in the real one
# for api.anthropic.com only. The real key never enters the bottle.
[[bottles.dev.egress]]
host = "api.anthropic.com"
kind = "anthropic-api-key"            # anthropic-api-key | anthropic-oauth | openai | gemini-api-key | bearer | header
credential = "\${ANTHROPIC_API_KEY}"

# Pushes go to a git gate in the bundle, then to the real remote for allowed refs only.
# [[bottles.dev.git]]
# name = "origin"
# url = "https://github.com/you/project.git"
# token = "\${GITHUB_TOKEN}"
# push = ["bot-bottle/{slug}/*"]
`;

export const EXAMPLE_AGENT = `+++
description = "A careful developer"
# provider = "claude"
# model = "claude-sonnet-4-5"
# skills = ["review"]           # folders under skills/
+++
You are a careful software engineer working inside a bot-bottle.
Work in the current directory, run the tests before you finish, and commit your work.
`;
