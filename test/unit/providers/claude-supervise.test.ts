import { describe, expect, test } from "bun:test";
import { agentCommand, providerSpec } from "../../../src/providers/index.ts";
import { CLAUDE_MCP_CONFIG_FILE } from "../../../src/bundle/supervise/mcp-config.ts";
import { testPlan } from "../lifecycle/plan-fixture.ts";

describe("claude provider with supervise", () => {
  test("supervise on: MCP config file points at the bundle and both commands load it", async () => {
    const plan = { ...(await testPlan("bare")), supervise: true };
    const files = providerSpec("claude").files(plan);
    expect(files.map((f) => f.path)).toEqual([CLAUDE_MCP_CONFIG_FILE]);
    const cfg = JSON.parse(files[0]!.content as string);
    expect(cfg.mcpServers["bot-bottle"].url).toBe(`http://${plan.network.bundleIp}:${plan.ports.supervise}/mcp`);
    expect(agentCommand(plan, { interactive: false, prompt: "t" })).toEqual([
      "claude", "-p", "t", "--dangerously-skip-permissions", "--mcp-config", CLAUDE_MCP_CONFIG_FILE,
    ]);
    expect(agentCommand(plan, { interactive: true })).toEqual([
      "claude", "--dangerously-skip-permissions", "--mcp-config", CLAUDE_MCP_CONFIG_FILE,
    ]);
  });

  test("supervise off: no MCP file, no flag", async () => {
    const plan = { ...(await testPlan("bare")), supervise: false };
    expect(providerSpec("claude").files(plan)).toEqual([]);
    expect(agentCommand(plan, { interactive: false, prompt: "t" })).not.toContain("--mcp-config");
  });
});
