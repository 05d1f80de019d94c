import { describe, expect, test } from "bun:test";
import { agentCommand, providerSpec } from "../../../src/providers/index.ts";
import { GEMINI_CONTEXT_FILE, GEMINI_SETTINGS_FILE, geminiSettings } from "../../../src/providers/gemini.ts";
import { SUPERVISE_PROMPT } from "../../../src/bundle/supervise/mcp-config.ts";
import type { BottlePlan } from "../../../src/plan/types.ts";
import { testPlan } from "../../helpers/plan.ts";

async function geminiPlan(over: Partial<BottlePlan> = {}): Promise<BottlePlan> {
  return { ...(await testPlan("codex")), provider: "gemini", ...over };
}

describe("gemini provider", () => {
  test("a task runs headless with approvals off and the agent's model", async () => {
    expect(agentCommand(await geminiPlan(), { interactive: false, prompt: "fix it" })).toEqual([
      "gemini", "--approval-mode", "yolo", "--model", "opus", "--prompt", "fix it",
    ]);
  });

  test("a session is the interactive CLI, approvals off", async () => {
    expect(agentCommand(await geminiPlan(), { interactive: true })).toEqual(["gemini", "--approval-mode", "yolo", "--model", "opus"]);
  });

  test("a task that looks like a flag stays the prompt's value", async () => {
    expect(agentCommand(await geminiPlan(), { interactive: false, prompt: "--help" }).slice(-2)).toEqual(["--prompt", "--help"]);
  });

  test("run without a task is a usage error", async () => {
    const plan = await geminiPlan();
    expect(() => agentCommand(plan, { interactive: false })).toThrow("needs a task");
  });

  test("settings turn off telemetry, usage statistics and updates, pick API-key auth, no MCP without supervise", async () => {
    const s = geminiSettings(await geminiPlan()) as any;
    expect(s.privacy).toEqual({ usageStatisticsEnabled: false });
    expect(s.telemetry).toEqual({ enabled: false });
    expect(s.general).toEqual({ enableAutoUpdate: false, enableAutoUpdateNotification: false });
    expect(s.security.auth.selectedType).toBe("gemini-api-key");
    expect(s.security.folderTrust.enabled).toBe(false);
    expect(s.mcpServers).toBeUndefined();
  });

  test("supervise registers the bundle's MCP server over streamable HTTP", async () => {
    const plan = await geminiPlan({ supervise: true });
    const s = geminiSettings(plan) as any;
    expect(s.mcpServers).toEqual({
      "bot-bottle": { type: "http", url: `http://${plan.network.bundleIp}:9100/mcp`, trust: true },
    });
  });

  test("files: settings (0644, no secret) and GEMINI.md with the prompt (0600)", async () => {
    const plan = await geminiPlan();
    const files = providerSpec("gemini").files(plan);
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      [GEMINI_SETTINGS_FILE, 0o644],
      [GEMINI_CONTEXT_FILE, 0o600],
    ]);
    expect(files[1]!.content).toBe("Be careful.\n");
    for (const f of files) expect(f.content).not.toContain("sk-ant-");
  });

  test("with supervise, GEMINI.md also says what the operator's tools are for", async () => {
    const files = providerSpec("gemini").files(await geminiPlan({ supervise: true }));
    expect(files[1]!.content).toBe(`Be careful.\n\n${SUPERVISE_PROMPT}\n`);
  });

  test("no prompt and no supervise: no GEMINI.md", async () => {
    const plan = await geminiPlan();
    const files = providerSpec("gemini").files({ ...plan, agent: { ...plan.agent, prompt: "  " } });
    expect(files.map((f) => f.path)).toEqual([GEMINI_SETTINGS_FILE]);
  });

  test("skills land in ~/.gemini/skills; the image brings a Node new enough", () => {
    expect(providerSpec("gemini").skillsDir).toBe("/home/node/.gemini/skills");
    expect(providerSpec("gemini").recipe).toEqual({ apt: ["nodejs", "npm", "ripgrep"], npm: ["@google/gemini-cli"], node: 22 });
  });
});
