// A real plan (through buildPlan) for tests of the lifecycle, the docker
// backend, providers and images. Deterministic: fixed identity and randoms.
import { buildPlan } from "../../src/plan/build.ts";
import { loadFromSource } from "../../src/manifest/load.ts";
import { DEFAULTS } from "../../src/config/config.ts";
import type { BottlePlan } from "../../src/plan/types.ts";

export const REAL_KEY = "sk-ant-api03-REALREALREALREALREALREALREALREAL-AA";

const AGENTS: Record<string, string> = {
  coder: '+++\ndescription = "c"\nmodel = "opus"\n+++\nBe careful.',
  plain: "",
  sh: '+++\nprovider = "shell"\n+++\n',
};

const TOML = `
version = 1
[bottles.claude]
agent = "coder"
copy_cwd = true
cpus = 2
memory = "2g"
allow = ["registry.npmjs.org"]
[bottles.claude.env]
GREETING = "hello"
SESSION_TOKEN = { value = "tok-1234567890", secret = true }
[[bottles.claude.egress]]
host = "api.anthropic.com"
kind = "anthropic-api-key"
credential = "\${ANTHROPIC_API_KEY}"
upstream = "http://10.9.8.7:8080"

[bottles.bare]
agent = "plain"

[bottles.codex]
agent = "coder"
provider = "codex"

[bottles.shell]
agent = "sh"
command = ["bot-bottle-demo"]

[bottles.shellnocmd]
agent = "sh"

[bottles.git]
agent = "sh"
supervise = true
[[bottles.git.git]]
name = "origin"
url = "git@example.com:o/r.git"
ssh_key = "/keys/id"
`;

export async function testPlan(bottle = "claude", identity = "coder-abc123"): Promise<BottlePlan> {
  const manifest = loadFromSource(TOML, "/p/bot-bottle.toml", "/p", (_path, name) => AGENTS[name] ?? null);
  return buildPlan({
    manifest,
    bottle,
    identity,
    cwd: "/p",
    config: DEFAULTS,
    hostEnv: { HOME: "/home/op", ANTHROPIC_API_KEY: REAL_KEY },
    random: () => 0.5,
    randomBytes: (n) => new Uint8Array(n).fill(7),
  });
}

/** Only the fields the state layer reads (recordBottle, redactPlan): enough for state, ls and inbox tests. */
export function statePlan(identity: string, over: Partial<BottlePlan> = {}): BottlePlan {
  return {
    identity,
    bottle: "dev",
    agent: { name: "dev" },
    backend: "docker",
    cwd: "/home/op/project",
    copyCwd: false,
    env: [],
    bundleEnv: [],
    ...over,
  } as unknown as BottlePlan;
}
