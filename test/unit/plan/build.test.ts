import { describe, expect, test } from "bun:test";
import { buildPlan, type PlanInputs } from "../../../src/plan/build.ts";
import { redactPlan, secretValues } from "../../../src/plan/redact.ts";
import { formatPlan } from "../../../src/plan/format.ts";
import { bundleSubnet } from "../../../src/plan/subnet.ts";
import { loadFromSource } from "../../../src/manifest/load.ts";
import { DEFAULTS, type Config } from "../../../src/config/config.ts";
import { AGENT_CA_BUNDLE, AGENT_CA_FILE, AGENT_WORKDIR } from "../../../src/plan/bottle-paths.ts";
import { rejected } from "../../helpers/thrown.ts";

const REAL_KEY = "sk-ant-api03-REALREALREALREALREALREALREALREAL-AA";
const REAL_GH = "ghp_REALGITHUBTOKENREALGITHUBTOKEN1234";
const HOST = { HOME: "/home/op", USER: "op", ANTHROPIC_API_KEY: REAL_KEY, GITHUB_TOKEN: REAL_GH, DB_PASS: "db-secret-value-123" };

const AGENTS: Record<string, string> = {
  dev: '+++\ndescription = "d"\nmodel = "m1"\n+++\nBe careful.',
  sh: '+++\nprovider = "shell"\n+++\n',
};

function manifest(toml: string) {
  return loadFromSource(toml, "/p/bot-bottle.toml", "/p", (_path, name) => AGENTS[name] ?? null);
}

const FULL = `
version = 1
[bottles.dev]
agent = "dev"
copy_cwd = true
allow = ["registry.npmjs.org", "api.anthropic.com"]
cpus = 2
memory = "4g"

[bottles.dev.env]
GREETING = "hello"
WHO = "\${USER}"
DB = "\${DB_PASS}"
TICKET = "?Which ticket"

[[bottles.dev.egress]]
host = "api.anthropic.com"
kind = "anthropic-api-key"
credential = "\${ANTHROPIC_API_KEY}"

[[bottles.dev.git]]
name = "origin"
url = "https://github.com/o/r.git"
token = "\${GITHUB_TOKEN}"

[[bottles.dev.git]]
name = "docs"
url = "https://github.com/o/docs.git"
push = ["bot-bottle/{slug}/*", "docs/{slug}"]

[bottles.shell]
agent = "sh"
backend = "smolmachines"
`;

const inputs = (over: Partial<PlanInputs> = {}): PlanInputs => ({
  manifest: manifest(FULL),
  bottle: "dev",
  cwd: "/p",
  config: DEFAULTS,
  hostEnv: HOST,
  // Only "dev" asks for a ticket; --env for a name a bottle lacks is refused.
  overrides: (over.bottle ?? "dev") === "dev" ? { TICKET: "T-7" } : {},
  random: () => 0,
  randomBytes: (n) => new Uint8Array(n).fill(9),
  ...over,
});

const envOf = (vars: { name: string; value: string }[]) => Object.fromEntries(vars.map((v) => [v.name, v.value]));

describe("buildPlan", () => {
  test("defaults: identity from the agent and the injected random, claude, docker, config base image, dlp on", async () => {
    const p = await buildPlan(inputs());
    expect(p.identity).toBe("dev-aaaaaa");
    expect(p).toMatchObject({ bottle: "dev", provider: "claude", backend: "docker", baseImage: DEFAULTS.baseImage, dlp: true, supervise: false });
    expect(p.copyCwd).toBe(true);
    expect(p.workdir).toBe(AGENT_WORKDIR);
    expect(p.agent).toMatchObject({ name: "dev", description: "d", model: "m1", prompt: "Be careful." });
    expect(p.resources).toEqual({ cpus: 2, memory: "4g", bundleMemory: "768m" });
    expect(p.containers).toEqual({ bundle: "bot-bottle-dev-aaaaaa-bundle", agent: "bot-bottle-dev-aaaaaa-agent" });
  });

  test("--name is checked and used; the subnet follows the identity, in the configured pool", async () => {
    const p = await buildPlan(inputs({ identity: "my-bottle", config: { ...DEFAULTS, subnetPool: "172.31.0.0/16" } }));
    expect(p.identity).toBe("my-bottle");
    expect(p.network).toMatchObject({ ...bundleSubnet("my-bottle", "172.31.0.0/16"), internal: "bot-bottle-my-bottle-int", egress: "bot-bottle-my-bottle-egress" });
    const e = await rejected(() => buildPlan(inputs({ identity: "Bad Name" })));
    expect(e.code).toBe("USAGE");
  });

  test.each([
    ["flag beats manifest and config", "shell", "docker", "docker", "smolmachines", "docker"],
    ["manifest beats config", "shell", undefined, "docker", "docker", "smolmachines"],
    ["config when neither", "dev", undefined, "smolmachines", undefined, "smolmachines"],
    ["flag beats config", "dev", "smolmachines", "docker", undefined, "smolmachines"],
  ] as const)("backend precedence: %s", async (_why, bottle, flag, config, _manifest, want) => {
    const p = await buildPlan(inputs({ bottle, backend: flag, config: { ...DEFAULTS, backend: config } }));
    expect(p.backend).toBe(want);
  });

  test("provider: bottle, then agent front matter, then claude", async () => {
    expect((await buildPlan(inputs({ bottle: "shell" }))).provider).toBe("shell");
    const m = manifest('[bottles.x]\nagent = "sh"\nprovider = "codex"\n');
    expect((await buildPlan(inputs({ manifest: m, bottle: "x" }))).provider).toBe("codex");
  });

  test("env: literals, host values and --env answers; generated proxy and CA env", async () => {
    const p = await buildPlan(inputs());
    const env = envOf(p.env);
    expect(env).toMatchObject({ GREETING: "hello", WHO: "op", DB: "db-secret-value-123", TICKET: "T-7" });
    const proxy = `http://${p.network.bundleIp}:8888`;
    expect(env).toMatchObject({
      HTTPS_PROXY: proxy,
      HTTP_PROXY: proxy,
      https_proxy: proxy,
      http_proxy: proxy,
      NO_PROXY: `localhost,127.0.0.1,${p.network.bundleIp}`,
      NODE_EXTRA_CA_CERTS: AGENT_CA_FILE,
      SSL_CERT_FILE: AGENT_CA_BUNDLE,
      REQUESTS_CA_BUNDLE: AGENT_CA_BUNDLE,
      BOT_BOTTLE: "dev-aaaaaa",
    });
    expect(p.env.filter((v) => v.source === "generated").every((v) => !v.secret)).toBe(true);
  });

  test("a route puts a placeholder in agent env and the real key only in bundle env", async () => {
    const p = await buildPlan(inputs());
    const placeholder = envOf(p.env).ANTHROPIC_API_KEY!;
    expect(placeholder.startsWith("sk-ant-api03-")).toBe(true);
    expect(placeholder).not.toBe(REAL_KEY);
    expect(p.egress[0]!.credential).toMatchObject({ env: "ANTHROPIC_API_KEY", placeholder, bundleEnv: "BOT_BOTTLE_CRED_0", header: "x-api-key" });
    expect(envOf(p.bundleEnv)).toMatchObject({ BOT_BOTTLE_CRED_0: REAL_KEY, BOT_BOTTLE_GIT_TOKEN_0: REAL_GH });
    expect(JSON.stringify(p.env)).not.toContain(REAL_KEY);
    expect(JSON.stringify(p.env)).not.toContain(REAL_GH);
    expect(p.allow).toEqual(["registry.npmjs.org", "api.anthropic.com"]);
  });

  test("--env by the route's env name overrides the route credential", async () => {
    const p = await buildPlan(inputs({ overrides: { TICKET: "t", ANTHROPIC_API_KEY: "sk-ant-api03-fromflag" } }));
    expect(envOf(p.bundleEnv).BOT_BOTTLE_CRED_0).toBe("sk-ant-api03-fromflag");
  });

  test("an env entry with the same name as a route's placeholder is an error located in the manifest", async () => {
    const m = manifest(
      '[bottles.x]\nagent = "dev"\n[bottles.x.env]\nANTHROPIC_API_KEY = "x"\n[[bottles.x.egress]]\nhost = "api.anthropic.com"\nkind = "anthropic-api-key"\ncredential = "k"\n',
    );
    const e = await rejected(() => buildPlan(inputs({ manifest: m, bottle: "x" })));
    expect(e.code).toBe("MANIFEST_INVALID");
    expect(e.key).toBe("bottles.x.env.ANTHROPIC_API_KEY");
    expect(e.line).toBe(4);
  });

  test("git: {slug} in push patterns becomes the identity; default pattern; paths", async () => {
    const p = await buildPlan(inputs());
    expect(p.git[0]).toMatchObject({ name: "origin", tokenEnv: "BOT_BOTTLE_GIT_TOKEN_0", push: ["bot-bottle/dev-aaaaaa/*"], allowForce: false, allowDelete: false });
    expect(p.git[1]).toMatchObject({ name: "docs", tokenEnv: undefined, push: ["bot-bottle/dev-aaaaaa/*", "docs/dev-aaaaaa"] });
    // copy_cwd = true: the cwd copy owns the workdir, remotes get sub-folders.
    expect(p.git.map((g) => g.path)).toEqual([`${AGENT_WORKDIR}/origin`, `${AGENT_WORKDIR}/docs`]);
  });

  test("unset host variable and missing prompt answer fail with the key and its line", async () => {
    const unset = await rejected(() => buildPlan(inputs({ hostEnv: { USER: "op" } })));
    expect(unset.code).toBe("ENV_UNSET");
    expect(unset.key).toBe("bottles.dev.env.DB");
    expect(unset.line).toBe(13);
    const ask = await rejected(() => buildPlan(inputs({ overrides: {} })));
    expect(ask.code).toBe("ENV_NEEDS_PROMPT");
    expect(ask.key).toBe("bottles.dev.env.TICKET");
    expect(ask.line).toBe(14);
  });

  test("route errors name the full key and line", async () => {
    const m = manifest('[bottles.x]\nagent = "dev"\n[[bottles.x.egress]]\nhost = "a.test"\n[[bottles.x.egress]]\nhost = "b.test"\ncredential = "k"\n');
    const e = await rejected(() => buildPlan(inputs({ manifest: m, bottle: "x" })));
    expect(e.key).toBe("bottles.x.egress[1].env");
    expect(e.line).toBe(5);
  });

  test.each([
    [{ TICKET: "t", TIKCET: "typo" }, "TIKCET"],
    // A real token must not slip into the agent's env under a name the bottle does not route.
    [{ TICKET: "t", GITHUB_TOKEN: "ghp_x" }, "GITHUB_TOKEN"],
  ])("--env %j: an unknown name is a usage error listing the names it takes", async (overrides, bad) => {
    const e = await rejected(() => buildPlan(inputs({ overrides })));
    expect(e.code).toBe("USAGE");
    expect(e.message).toContain(bad);
    expect(e.hint).toContain("TICKET");
    expect(e.hint).toContain("ANTHROPIC_API_KEY");
    expect(e.hint).toContain("BOT_BOTTLE_GIT_TOKEN_0");
  });

  test("unknown bottle lists the ones there are", async () => {
    const e = await rejected(() => buildPlan(inputs({ bottle: "nope" })));
    expect(e.code).toBe("BOTTLE_NOT_FOUND");
    expect(e.hint).toContain("dev, shell");
  });
});

describe("redactPlan and formatPlan", () => {
  const SECRETS = [REAL_KEY, REAL_GH, "db-secret-value-123", "T-7-secret-answer"];

  test("no secret value survives redaction, in JSON or in the printed plan", async () => {
    const p = await buildPlan(inputs({ overrides: { TICKET: "T-7-secret-answer" } }));
    expect(secretValues(p).sort()).toEqual([...SECRETS].sort());
    const red = redactPlan(p);
    const json = JSON.stringify(red);
    const text = formatPlan(red);
    for (const s of SECRETS) {
      expect(json).not.toContain(s);
      expect(text).not.toContain(s);
    }
    // What is not secret is still there to read.
    expect(text).toContain("GREETING=hello");
    expect(text).toContain("api.anthropic.com");
    expect(secretValues(red)).toEqual([]);
  });

  test("the plan shows the command that will run: `-- CMD` over the manifest's, quoted as a shell takes it", async () => {
    const p = await buildPlan(inputs());
    const withManifestCommand = { ...redactPlan(p), command: ["make", "test"] };
    expect(formatPlan(withManifestCommand)).toMatch(/command +make test$/m);
    expect(formatPlan(withManifestCommand, ["sh", "-c", "echo 'hi there'"])).toContain(String.raw`command     sh -c 'echo '\''hi there'\'''`);
    expect(formatPlan(withManifestCommand, ["true"])).not.toContain("make test");
  });

  test("redaction leaves the original plan untouched (backends still need the values)", async () => {
    const p = await buildPlan(inputs());
    redactPlan(p);
    expect(envOf(p.bundleEnv).BOT_BOTTLE_CRED_0).toBe(REAL_KEY);
  });
});

describe("policy in the loop", () => {
  const sh = (extra: string) => manifest(`version = 1\n[bottles.box]\nagent = "sh"\n${extra}`);
  test("defaults: block, 120 s to answer a held request, 600 s for approvals, deny on timeout", async () => {
    const p = await buildPlan(inputs({ manifest: sh(""), bottle: "box", overrides: {} }));
    expect(p.policy).toEqual({ onDeny: "block", askTimeoutSeconds: 120, approvalTimeoutSeconds: 600, approvalDefault: "deny" });
  });

  test('on_deny = "ask" without supervise is a located manifest error', async () => {
    const e = await rejected(() => buildPlan(inputs({ manifest: sh('on_deny = "ask"\n'), bottle: "box", overrides: {} })));
    expect(e.code).toBe("MANIFEST_INVALID");
    expect(e.key).toBe("bottles.box.on_deny");
    expect(e.line).toBe(4);
    expect(e.hint).toContain("supervise = true");
  });

  test("with supervise, ask and the timeouts are planned", async () => {
    const p = await buildPlan(
      inputs({ manifest: sh('supervise = true\non_deny = "ask"\nask_timeout = 30\napproval_timeout = 60\napproval_default = "approve"\n'), bottle: "box", overrides: {} }),
    );
    expect(p.policy).toEqual({ onDeny: "ask", askTimeoutSeconds: 30, approvalTimeoutSeconds: 60, approvalDefault: "approve" });
  });
});
