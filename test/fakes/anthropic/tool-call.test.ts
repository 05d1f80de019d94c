// The scripted tool call: what the fake answers at each step of the loop.
import { describe, expect, test } from "bun:test";
import { resultText, toolCallTurn, toolResultFor } from "./tool-call.ts";

const TOOL = "mcp__bot-bottle__request_approval";
const script = { tool: TOOL, input: { action: "rm -rf build", reason: "cleanup" }, toolUseId: "toolu_a" };
const task = { role: "user", content: [{ type: "text", text: "clean up" }] };
const call = { role: "assistant", content: [{ type: "tool_use", id: "toolu_a", name: TOOL, input: {} }] };
const result = (content: unknown, id = "toolu_a") => ({ role: "user", content: [{ type: "tool_result", tool_use_id: id, content }] });

describe("resultText", () => {
  test.each([
    ["approved", "approved"],
    [[{ type: "text", text: "a" }, { type: "image" }, { type: "text", text: "b" }], "a\n\nb"],
    [undefined, ""],
  ])("%p", (content, want) => expect(resultText(content)).toBe(want));
});

describe("toolResultFor", () => {
  test("finds the result of a call to the tool", () => {
    expect(toolResultFor([task, call, result("approved: yes")] as any, TOOL)).toBe("approved: yes");
  });
  test("ignores results of other tools and calls without a result", () => {
    const other = { role: "assistant", content: [{ type: "tool_use", id: "toolu_b", name: "Bash", input: {} }] };
    expect(toolResultFor([task, other, result("x", "toolu_b")] as any, TOOL)).toBeNull();
    expect(toolResultFor([task, call] as any, TOOL)).toBeNull();
  });
});

describe("toolCallTurn", () => {
  const tools = [{ name: "Bash" }, { name: TOOL }];

  test("calls the tool with the scripted input when it is offered", () => {
    expect(toolCallTurn({ tools, messages: [task] }, script)).toEqual({
      content: [{ type: "tool_use", id: "toolu_a", name: TOOL, input: script.input }],
      stopReason: "tool_use",
    });
  });

  test("then answers with the tool's result", () => {
    const turn = toolCallTurn({ tools, messages: [task, call, result([{ type: "text", text: "approved: go" }])] }, script);
    expect(turn).toEqual({ content: [{ type: "text", text: `${TOOL} returned: approved: go` }], stopReason: "end_turn" });
    const custom = toolCallTurn({ tools, messages: [task, call, result("denied")] }, { ...script, answer: (r) => `got ${r}` });
    expect(custom.content).toEqual([{ type: "text", text: "got denied" }]);
  });

  test("side requests without tools get plain text", () => {
    expect(toolCallTurn({ messages: [task] }, script)).toEqual({ content: [{ type: "text", text: "OK" }], stopReason: "end_turn" });
  });

  test("a deferred tool is loaded through ToolSearch first, then called", () => {
    const deferred = [{ name: "Bash" }, { name: "ToolSearch" }];
    expect(toolCallTurn({ tools: deferred, messages: [task] }, script)).toEqual({
      content: [{ type: "tool_use", id: "toolu_a_search", name: "ToolSearch", input: { query: `select:${TOOL}`, max_results: 1 } }],
      stopReason: "tool_use",
    });
    const search = { role: "assistant", content: [{ type: "tool_use", id: "toolu_a_search", name: "ToolSearch", input: {} }] };
    const loaded = toolCallTurn({ tools: deferred, messages: [task, search, result("<functions>…</functions>", "toolu_a_search")] }, script);
    expect(loaded.content).toEqual([{ type: "tool_use", id: "toolu_a", name: TOOL, input: script.input }]);
  });

  test("says so when the tool is not offered", () => {
    const turn = toolCallTurn({ tools: [{ name: "Bash" }], messages: [task] }, script);
    expect(turn.stopReason).toBe("end_turn");
    expect(turn.content[0]).toEqual({ type: "text", text: `${TOOL} is not among the tools offered: Bash` });
  });
});
