import { expect, test } from "bun:test";
import {
  CLAUDE_MCP_CONFIG_FILE,
  CLAUDE_SUPERVISE_TOOLS,
  claudeMcpConfig,
  claudeMcpFlags,
  claudeSuperviseArgs,
  claudeSuperviseFiles,
  superviseUrl,
} from "../../../../src/bundle/supervise/mcp-config.ts";
import type { BottlePlan } from "../../../../src/plan/types.ts";

test.each([
  ["10.200.7.2", undefined, { mcpServers: { "bot-bottle": { type: "http", url: "http://10.200.7.2:9100/mcp" } } }],
  ["127.0.0.1", 19100, { mcpServers: { "bot-bottle": { type: "http", url: "http://127.0.0.1:19100/mcp" } } }],
] as const)("claudeMcpConfig(%s, %s)", (ip, port, want) => {
  expect(claudeMcpConfig(ip, port)).toEqual(want as never);
});

test("flags, URL and tool names", () => {
  expect(claudeMcpFlags("/etc/bot-bottle/mcp.json")).toEqual(["--mcp-config", "/etc/bot-bottle/mcp.json"]);
  expect(superviseUrl("10.0.0.2")).toBe("http://10.0.0.2:9100/mcp");
  expect(CLAUDE_SUPERVISE_TOOLS).toEqual(["mcp__bot-bottle__request_approval", "mcp__bot-bottle__notify"]);
});

test("claude provider hooks: a file and flags only when supervise is on", () => {
  const plan = (supervise: boolean) =>
    ({ supervise, network: { bundleIp: "10.9.8.2" }, ports: { proxy: 8888, gitGate: 9418, supervise: 9100 } }) as unknown as BottlePlan;
  expect(claudeSuperviseFiles(plan(false))).toEqual([]);
  expect(claudeSuperviseArgs(plan(false))).toEqual([]);
  const [file] = claudeSuperviseFiles(plan(true));
  expect(file!.path).toBe(CLAUDE_MCP_CONFIG_FILE);
  expect(JSON.parse(file!.content)).toEqual({ mcpServers: { "bot-bottle": { type: "http", url: "http://10.9.8.2:9100/mcp" } } });
  expect(claudeSuperviseArgs(plan(true))).toEqual(["--mcp-config", "/etc/bot-bottle/mcp.json"]);
});
