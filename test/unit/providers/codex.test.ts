// The codex provider's argv and the files it writes into CODEX_HOME: the login
// holds only the placeholder, the config turns Codex's own sandbox, approvals
// and phone-home calls off, and supervise registers the bundle's MCP server.
import { describe, expect, test } from "bun:test";
import { parse } from "smol-toml";
import { buildPlan } from "../../../src/plan/build.ts";
import { loadFromSource } from "../../../src/manifest/load.ts";
import { DEFAULTS } from "../../../src/config/config.ts";
import { providerSpec } from "../../../src/providers/index.ts";
import { codexKeyRoute } from "../../../src/providers/codex-config.ts";
import type { BottlePlan } from "../../../src/plan/types.ts";
import { DEFAULT_AGENTS, DEFAULT_MANIFEST_NAME, DEFAULT_MANIFEST_TOML } from "../../../src/manifest/default.ts";

const REAL = "sk-proj-REALrealREALrealREALrealREALrealREALreal_-0123456789";

async function plan(extra: string, agent = '+++\nmodel = "gpt-5.1-codex"\n+++\nBe careful.'): Promise<BottlePlan> {
  const toml = `version = 1\n[bottles.cx]\nagent = "a"\nprovider = "codex"\n${extra}`;
  const manifest = loadFromSource(toml, "/p/bot-bottle.toml", "/p", () => agent);
  return buildPlan({
    manifest,
    bottle: "cx",
    identity: "a-abc123",
    cwd: "/p",
    config: DEFAULTS,
    hostEnv: { HOME: "/home/op", OPENAI_API_KEY: REAL, GW_TOKEN: REAL },
    random: () => 0.5,
    randomBytes: (n) => new Uint8Array(n).fill(7),
  });
}

const OPENAI_ROUTE = '[[bottles.cx.egress]]\nhost = "api.openai.com"\nkind = "openai"\ncredential = "${OPENAI_API_KEY}"\n';
const file = (p: BottlePlan, path: string) => providerSpec("codex").files(p).find((f) => f.path === path);

describe("codex argv", () => {
  test("a task: exec, no approvals or sandbox, the task after -- (a task named like a subcommand stays a task)", async () => {
    const p = await plan(OPENAI_ROUTE);
    expect(providerSpec("codex").taskCommand(p, "review")).toEqual([
      "codex", "exec", "--dangerously-bypass-approvals-and-sandbox", "--skip-git-repo-check", "--model", "gpt-5.1-codex", "--", "review",
    ]);
  });
  test("a task starting with a dash is not an option", async () => {
    expect(providerSpec("codex").taskCommand(await plan(OPENAI_ROUTE, ""), "--help me").slice(-2)).toEqual(["--", "--help me"]);
  });
  test("a session", async () => {
    expect(providerSpec("codex").sessionCommand(await plan(OPENAI_ROUTE, ""))).toEqual(["codex", "--dangerously-bypass-approvals-and-sandbox"]);
  });
  test("skills go to $CODEX_HOME/skills", () => expect(providerSpec("codex").skillsDir).toBe("/home/node/.codex/skills"));
});

describe("codex auth.json", () => {
  test("API-key login with the route's placeholder, never the real key, mode 0600", async () => {
    const p = await plan(OPENAI_ROUTE);
    const placeholder = p.egress[0]!.credential!.placeholder;
    const auth = file(p, "/home/node/.codex/auth.json")!;
    expect(auth.mode).toBe(0o600);
    expect(JSON.parse(auth.content)).toEqual({ auth_mode: "apikey", OPENAI_API_KEY: placeholder });
    expect(placeholder).toMatch(/^sk-proj-/);
    expect(placeholder.length).toBe(REAL.length);
    for (const f of providerSpec("codex").files(p)) expect(f.content).not.toContain(REAL);
  });
  test("a bearer route to a gateway whose placeholder is in OPENAI_API_KEY counts too", async () => {
    const p = await plan('[[bottles.cx.egress]]\nhost = "llm.corp"\nkind = "bearer"\nenv = "OPENAI_API_KEY"\ncredential = "${GW_TOKEN}"\n');
    expect(codexKeyRoute(p)?.kind).toBe("bearer");
    expect(JSON.parse(file(p, "/home/node/.codex/auth.json")!.content).OPENAI_API_KEY).toBe(p.egress[0]!.credential!.placeholder);
  });
  test("no OpenAI route: no auth.json (Codex will say it is not logged in)", async () => {
    expect(file(await plan(""), "/home/node/.codex/auth.json")).toBeUndefined();
  });
});

describe("codex config.toml", () => {
  test("no sandbox, no approvals, the workdir trusted, no update check, analytics or phone-home features", async () => {
    const p = await plan(OPENAI_ROUTE);
    const cfg = parse(file(p, "/home/node/.codex/config.toml")!.content) as any;
    expect(cfg.approval_policy).toBe("never");
    expect(cfg.sandbox_mode).toBe("danger-full-access");
    expect(cfg.check_for_update_on_startup).toBe(false);
    expect(cfg.analytics).toEqual({ enabled: false });
    expect(cfg.feedback).toEqual({ enabled: false });
    expect(cfg.otel.exporter).toBe("none");
    expect(cfg.features).toEqual({ plugins: false, remote_plugin: false, apps: false, in_app_updates: false, api_key_model_discovery: false });
    expect(cfg.projects).toEqual({ [p.workdir]: { trust_level: "trusted" } });
    expect(cfg.mcp_servers).toBeUndefined();
  });
  test("supervise registers the bundle's MCP server over streamable HTTP, with a tool timeout above the approval wait", async () => {
    const p = await plan(`supervise = true\n${OPENAI_ROUTE}`);
    const cfg = parse(file(p, "/home/node/.codex/config.toml")!.content) as any;
    expect(cfg.mcp_servers).toEqual({
      "bot-bottle": { url: `http://${p.network.bundleIp}:9100/mcp`, startup_timeout_sec: 20, tool_timeout_sec: 660 },
    });
  });
});

describe("codex AGENTS.md", () => {
  test("the agent's prompt, plus what the operator's tools are for with supervise on", async () => {
    expect(file(await plan(OPENAI_ROUTE), "/home/node/.codex/AGENTS.md")!.content).toBe("Be careful.\n");
    const sup = file(await plan(`supervise = true\n${OPENAI_ROUTE}`), "/home/node/.codex/AGENTS.md")!.content;
    expect(sup.startsWith("Be careful.\n\n")).toBe(true);
    expect(sup).toContain("request_approval");
  });
  test("no prompt and no supervise: no file", async () => {
    expect(file(await plan(OPENAI_ROUTE, ""), "/home/node/.codex/AGENTS.md")).toBeUndefined();
  });
});

describe("the codex bottle of the built-in default manifest", () => {
  test("logs Codex in with the placeholder of its api.openai.com route and trusts its workdir", async () => {
    const manifest = loadFromSource(DEFAULT_MANIFEST_TOML, DEFAULT_MANIFEST_NAME, "/p", (_p, name) => DEFAULT_AGENTS[name] ?? null, true);
    const p = await buildPlan({
      manifest,
      bottle: "codex",
      identity: "coder-abc123",
      cwd: "/p",
      config: DEFAULTS,
      hostEnv: { HOME: "/home/op", OPENAI_API_KEY: REAL },
      random: () => 0.5,
      randomBytes: (n) => new Uint8Array(n).fill(7),
    });
    expect(p.provider).toBe("codex");
    expect(p.egress.map((r) => [r.host, r.credential?.kind])).toEqual([["api.openai.com", "openai"]]);
    const placeholder = p.egress[0]!.credential!.placeholder;
    expect(JSON.parse(file(p, "/home/node/.codex/auth.json")!.content).OPENAI_API_KEY).toBe(placeholder);
    expect(p.env.find((v) => v.name === "OPENAI_API_KEY")?.value).toBe(placeholder);
    expect((parse(file(p, "/home/node/.codex/config.toml")!.content) as any).projects[p.workdir].trust_level).toBe("trusted");
    for (const f of providerSpec("codex").files(p)) expect(f.content).not.toContain(REAL);
  });
});
