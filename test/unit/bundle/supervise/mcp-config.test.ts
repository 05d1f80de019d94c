import { expect, test } from "bun:test";
import { CLAUDE_SUPERVISE_TOOLS, claudeMcpConfig, claudeMcpFlags, superviseUrl } from "../../../../src/bundle/supervise/mcp-config.ts";

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
