import { describe, expect, test } from "bun:test";
import { agentCommand, providerSpec } from "../../../src/providers/index.ts";
import { CLAUDE_MCP_CONFIG_FILE, SUPERVISE_PROMPT } from "../../../src/bundle/supervise/mcp-config.ts";
import { AGENT_PROMPT_FILE } from "../../../src/plan/bottle-paths.ts";
import { SESSION_PROMPT_PLUS_SCRIPT } from "../../../src/providers/claude.ts";
import { run } from "../../../src/util/run.ts";
import { tempHome } from "../../helpers/tmp.ts";
import { testPlan } from "../../helpers/plan.ts";

describe("claude provider with supervise", () => {
  test("supervise on: MCP config file points at the bundle and both commands load it", async () => {
    const plan = { ...(await testPlan("bare")), supervise: true };
    const files = providerSpec("claude").files(plan);
    expect(files.map((f) => f.path)).toEqual([CLAUDE_MCP_CONFIG_FILE]);
    const cfg = JSON.parse(files[0]!.content as string);
    expect(cfg.mcpServers["bot-bottle"].url).toBe(`http://${plan.network.bundleIp}:${plan.ports.supervise}/mcp`);
    expect(agentCommand(plan, { interactive: false, prompt: "t" })).toEqual([
      "claude", "-p", "t", "--dangerously-skip-permissions", "--mcp-config", CLAUDE_MCP_CONFIG_FILE, "--append-system-prompt", SUPERVISE_PROMPT,
    ]);
    expect(agentCommand(plan, { interactive: true })).toEqual([
      "claude", "--dangerously-skip-permissions", "--mcp-config", CLAUDE_MCP_CONFIG_FILE, "--append-system-prompt", SUPERVISE_PROMPT,
    ]);
  });

  test("supervise on with an agent prompt: a task passes both (print mode joins them)", async () => {
    const plan = { ...(await testPlan("claude")), supervise: true };
    expect(agentCommand(plan, { interactive: false, prompt: "t" })).toEqual([
      "claude", "-p", "t", "--dangerously-skip-permissions", "--model", "opus", "--mcp-config", CLAUDE_MCP_CONFIG_FILE,
      "--append-system-prompt", SUPERVISE_PROMPT, "--append-system-prompt-file", AGENT_PROMPT_FILE,
    ]);
  });

  test("supervise on with an agent prompt: a session gets one text, the agent's then the supervise line", async () => {
    const plan = { ...(await testPlan("claude")), supervise: true };
    const argv = agentCommand(plan, { interactive: true });
    expect(argv.slice(0, 5)).toEqual(["sh", "-c", SESSION_PROMPT_PLUS_SCRIPT, AGENT_PROMPT_FILE, `\n\n${SUPERVISE_PROMPT}`]);
    expect(argv.slice(5)).toEqual(["claude", "--dangerously-skip-permissions", "--model", "opus", "--mcp-config", CLAUDE_MCP_CONFIG_FILE]);
    // Run the script for real, with printf standing in for claude: what claude would get.
    const home = tempHome("bb-claude-prompt-");
    try {
      const file = home.write("prompt.md", "Be careful.\n");
      const res = await run(["sh", "-c", SESSION_PROMPT_PLUS_SCRIPT, file, argv[4]!, "printf", "[%s]"]);
      expect(res.stdout).toBe(`[--append-system-prompt][Be careful.\n\n${SUPERVISE_PROMPT}]`);
    } finally {
      home.cleanup();
    }
  });

  test("supervise off: no MCP file, no flag", async () => {
    const plan = { ...(await testPlan("bare")), supervise: false };
    expect(providerSpec("claude").files(plan)).toEqual([]);
    expect(agentCommand(plan, { interactive: false, prompt: "t" })).not.toContain("--mcp-config");
  });
});
