// The fake must be faithful to the protocol, or e2e failures would point at
// the product when the fake is to blame.
import { afterAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../anthropic-api.ts";
import { chunks, parseSse } from "./messages.ts";
import { parseTask, scriptedTurn, workingDirectory } from "./script.ts";

describe("parseTask", () => {
  const cases: [string, { file: string; content: string } | null][] = [
    ["create hello.txt", { file: "hello.txt", content: "hi" }],
    ["create hello.txt containing hi", { file: "hello.txt", content: "hi" }],
    ["Please create a file named out/report.md containing all good.", { file: "out/report.md", content: "all good" }],
    ["create notes.txt with the content 'two words'", { file: "notes.txt", content: "two words" }],
    ["<system-reminder>x</system-reminder>\ncreate a.txt containing b", { file: "a.txt", content: "b" }],
    ["what is 2+2?", null],
  ];
  test.each(cases)("%p", (text, want) => expect(parseTask(text)).toEqual(want));
});

describe("workingDirectory", () => {
  test.each([
    ["Here is info:\n<env>\nWorking directory: /home/node/work\nIs git repo: no", "/home/node/work"],
    [[{ type: "text", text: "You are Claude Code" }, { type: "text", text: "Working directory: /w" }], "/w"],
    ["no cwd here", null],
    [undefined, null],
  ])("%p", (system, want) => expect(workingDirectory(system)).toBe(want));
});

describe("scriptedTurn", () => {
  const tools = [{ name: "Bash" }, { name: "Write" }];
  const system = "Working directory: /work";
  const task = { role: "user", content: [{ type: "text", text: "create hello.txt containing hi" }] };

  test("first turn writes the file with an absolute path", () => {
    const turn = scriptedTurn({ system, tools, messages: [task] }, { toolUseId: "toolu_1" });
    expect(turn.stopReason).toBe("tool_use");
    expect(turn.content.at(-1)).toEqual({
      type: "tool_use",
      id: "toolu_1",
      name: "Write",
      input: { file_path: "/work/hello.txt", content: "hi\n" },
    });
  });

  test("falls back to Bash without a Write tool or a known cwd", () => {
    const turn = scriptedTurn({ tools: [{ name: "Bash" }], messages: [task] }, { toolUseId: "t" });
    expect(turn.content).toEqual([
      { type: "tool_use", id: "t", name: "Bash", input: { command: "printf '%s\\n' 'hi' > 'hello.txt'", description: "Create hello.txt" } },
    ]);
  });

  test("after the tool result, a final answer", () => {
    const messages = [
      task,
      { role: "assistant", content: [{ type: "tool_use", id: "t", name: "Write", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "ok" }] },
    ];
    expect(scriptedTurn({ system, tools, messages })).toEqual({ content: [{ type: "text", text: "Created hello.txt." }], stopReason: "end_turn" });
  });

  test("opencode's lower-case tools: write with camelCase filePath, or bash", () => {
    const oc = [{ name: "bash" }, { name: "write" }];
    expect(scriptedTurn({ system, tools: oc, messages: [task] }, { toolUseId: "t" }).content.at(-1)).toEqual({
      type: "tool_use",
      id: "t",
      name: "write",
      input: { filePath: "/work/hello.txt", content: "hi\n" },
    });
    expect(scriptedTurn({ tools: [{ name: "bash" }], messages: [task] }, { toolUseId: "t" }).content[0]).toMatchObject({ name: "bash" });
  });

  test("side requests without tools get plain text", () => {
    expect(scriptedTurn({ messages: [task] }).stopReason).toBe("end_turn");
  });
});

test("chunks splits and keeps an empty string as one piece", () => {
  expect(chunks("abcde", 2)).toEqual(["ab", "cd", "e"]);
  expect(chunks("", 2)).toEqual([""]);
});

describe("server", () => {
  const fake = startFakeAnthropic({ apiKey: "sk-ant-api03-real" });
  afterAll(() => fake.close());
  const post = (path: string, body: unknown, key = "sk-ant-api03-real") =>
    fetch(fake.url + path, { method: "POST", headers: { "x-api-key": key, "content-type": "application/json" }, body: JSON.stringify(body) });
  const body = {
    model: "claude-sonnet-4-5-20250929",
    max_tokens: 100,
    system: "Working directory: /w",
    tools: [{ name: "Write" }],
    messages: [{ role: "user", content: "create x.txt containing y" }],
  };

  test("streams a tool call whose input reassembles from input_json_delta", async () => {
    const res = await post("/v1/messages", { ...body, stream: true });
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      ...Array(events.length - 9).fill("content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const json = events.filter((e) => e.data.delta?.type === "input_json_delta").map((e) => e.data.delta.partial_json).join("");
    expect(JSON.parse(json)).toEqual({ file_path: "/w/x.txt", content: "y\n" });
    expect(events.find((e) => e.event === "message_delta")!.data.delta.stop_reason).toBe("tool_use");
  });

  test("answers without streaming", async () => {
    const res = await post("/v1/messages", body);
    const msg = (await res.json()) as any;
    expect(msg).toMatchObject({ type: "message", role: "assistant", stop_reason: "tool_use", model: body.model });
    expect(msg.content[1]).toMatchObject({ type: "tool_use", name: "Write" });
  });

  test("rejects a wrong key like the real API and records it", async () => {
    const res = await post("/v1/messages", body, "sk-ant-api03-placeholder");
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.type).toBe("authentication_error");
    expect(fake.requests.at(-1)!.headers["x-api-key"]).toBe("sk-ant-api03-placeholder");
  });

  test("count_tokens and models", async () => {
    expect(((await (await post("/v1/messages/count_tokens", body)).json()) as any).input_tokens).toBeGreaterThan(0);
    const models = (await (await fetch(fake.url + "/v1/models", { headers: { "x-api-key": "sk-ant-api03-real" } })).json()) as any;
    expect(models.data.length).toBeGreaterThan(0);
    expect(fake.messageRequests().length).toBe(3);
  });
});
