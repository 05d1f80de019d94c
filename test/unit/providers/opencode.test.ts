import { describe, expect, test } from "bun:test";
import { agentCommand, providerSpec } from "../../../src/providers/index.ts";
import { OPENCODE_CONFIG_FILE, OPENCODE_RULES_FILE, opencodeConfig, opencodeModel } from "../../../src/providers/opencode.ts";
import { SUPERVISE_PROMPT } from "../../../src/bundle/supervise/mcp-config.ts";
import type { BottlePlan } from "../../../src/plan/types.ts";
import { testPlan } from "../../helpers/plan.ts";
import { buildPlanFor } from "./plan-for.ts";

async function opencodePlan(over: Partial<BottlePlan> = {}): Promise<BottlePlan> {
  return { ...(await testPlan("codex")), provider: "opencode", ...over };
}

describe("opencode provider", () => {
  test("a task is `opencode run` with the agent's model as anthropic/…", async () => {
    expect(agentCommand(await opencodePlan(), { interactive: false, prompt: "fix it" })).toEqual([
      "opencode", "run", "--model", "anthropic/opus", "fix it",
    ]);
  });

  test("a session is the TUI", async () => {
    expect(agentCommand(await opencodePlan(), { interactive: true })).toEqual(["opencode", "--model", "anthropic/opus"]);
  });

  test.each([
    [undefined, undefined],
    ["claude-sonnet-4-5", "anthropic/claude-sonnet-4-5"],
    ["openrouter/x/y", "openrouter/x/y"],
  ])("model %p → %p", (m, want) => expect(opencodeModel(m)).toBe(want));

  test("config: every tool allowed, autoupdate and sharing off, no MCP without supervise", async () => {
    expect(opencodeConfig(await opencodePlan())).toEqual({
      $schema: "https://opencode.ai/config.json",
      autoupdate: false,
      share: "disabled",
      permission: "allow",
    });
  });

  test("supervise registers the bundle's MCP server as a remote (streamable HTTP) server", async () => {
    const plan = await opencodePlan({ supervise: true });
    expect((opencodeConfig(plan) as any).mcp).toEqual({
      "bot-bottle": { type: "remote", url: `http://${plan.network.bundleIp}:9100/mcp`, enabled: true },
    });
  });

  test("files: global config and AGENTS.md with the prompt (and the supervise note)", async () => {
    const files = providerSpec("opencode").files(await opencodePlan({ supervise: true }));
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      [OPENCODE_CONFIG_FILE, 0o644],
      [OPENCODE_RULES_FILE, 0o600],
    ]);
    expect(files[1]!.content).toBe(`Be careful.\n\n${SUPERVISE_PROMPT}\n`);
  });

  test("the plan turns off model-list, LSP and update fetches for opencode only", async () => {
    const env = (p: BottlePlan) => Object.fromEntries(p.env.map((e) => [e.name, e.value]));
    const plan = await buildPlanFor("opencode");
    expect(env(plan)).toMatchObject({ OPENCODE_DISABLE_AUTOUPDATE: "1", OPENCODE_DISABLE_MODELS_FETCH: "1", OPENCODE_DISABLE_LSP_DOWNLOAD: "1" });
    expect(env(await buildPlanFor("gemini")).OPENCODE_DISABLE_MODELS_FETCH).toBeUndefined();
  });

  test("skills land in ~/.config/opencode/skills", () => {
    expect(providerSpec("opencode").skillsDir).toBe("/home/node/.config/opencode/skills");
    expect(providerSpec("opencode").recipe).toEqual({ apt: ["nodejs", "npm", "ripgrep"], npm: ["opencode-ai"] });
  });
});
