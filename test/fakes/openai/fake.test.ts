// The fake must be faithful to the Responses API, or e2e failures would point
// at the product when the fake is to blame: event names and order, SSE and
// WebSocket framing, conversation state on the socket, the 401 bodies.
import { afterAll, describe, expect, test } from "bun:test";
import { startFakeOpenAI } from "../openai-api.ts";
import { parseSse, responseEvents } from "./responses.ts";
import { offeredTools, scriptedResponse, toolOutputFor, userText } from "./script.ts";

const KEY = "sk-proj-fake-test-key-0123456789";
const task = (text: string) => ({ type: "message", role: "user", content: [{ type: "input_text", text }] });

describe("responseEvents", () => {
  test("a message: created, in_progress, item added, part, deltas, done events, completed; numbered", () => {
    const ev = responseEvents({ output: [{ type: "message", text: "Created hello.txt." }] }, { id: "resp_1", model: "m", inputTokens: 3 });
    expect(ev.map((e) => e.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(ev.map((e) => e.sequence_number)).toEqual(ev.map((_, i) => i));
    const completed = ev.at(-1)!.response as any;
    expect(completed).toMatchObject({ id: "resp_1", object: "response", status: "completed", model: "m" });
    expect(completed.output[0]).toMatchObject({ type: "message", role: "assistant", content: [{ type: "output_text", text: "Created hello.txt." }] });
    expect(completed.usage.total_tokens).toBe(completed.usage.input_tokens + completed.usage.output_tokens);
    const deltas = ev.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta).join("");
    expect(deltas).toBe("Created hello.txt.");
  });

  test("tool calls stream their arguments / input and finish with the full item", () => {
    const ev = responseEvents(
      { output: [{ type: "function_call", name: "exec_command", callId: "call_1", arguments: '{"cmd":"true"}' }, { type: "custom_tool_call", name: "exec", callId: "call_2", input: "text(1)" }] },
      { id: "r", model: "m", inputTokens: 1 },
    );
    expect(ev.filter((e) => e.type.endsWith(".delta")).map((e) => e.type)).toEqual(["response.function_call_arguments.delta", "response.function_call_arguments.delta", "response.custom_tool_call_input.delta"]);
    const done = ev.filter((e) => e.type === "response.output_item.done").map((e) => e.item as any);
    expect(done[0]).toMatchObject({ type: "function_call", call_id: "call_1", name: "exec_command", arguments: '{"cmd":"true"}', status: "completed" });
    expect(done[1]).toMatchObject({ type: "custom_tool_call", call_id: "call_2", name: "exec", input: "text(1)" });
    expect((ev.at(-1)!.response as any).output).toEqual(done);
  });
});

describe("scriptedResponse", () => {
  const codeMode = { type: "additional_tools", tools: [{ type: "namespace", name: "functions", tools: [{ type: "custom", name: "exec" }, { type: "function", name: "wait" }] }] };

  test("finds tools in `tools` and in Codex's additional_tools namespaces", () => {
    expect(offeredTools({ tools: [{ type: "function", name: "shell" }], input: [codeMode] })).toEqual([
      { type: "function", name: "shell" },
      { type: "custom", name: "exec", namespace: "functions" },
      { type: "function", name: "wait", namespace: "functions" },
    ]);
  });

  test("a prewarm (generate: false) gets an empty response", () => {
    expect(scriptedResponse({ generate: false, input: [] })).toEqual({ output: [] });
  });

  test("code mode: the file is made by exec_command from JavaScript in `exec`", () => {
    const turn = scriptedResponse({ input: [codeMode, task("create hello.txt containing hi")] }, { callId: "call_fake1" });
    const call = turn.output.at(-1) as any;
    expect(call).toMatchObject({ type: "custom_tool_call", name: "exec", callId: "call_fake1" });
    expect(call.input).toContain(`await tools.exec_command({"cmd":"printf '%s\\\\n' 'hi' > 'hello.txt'"})`);
  });

  test("a direct exec_command function is called with JSON arguments; then the final answer", () => {
    const body = { tools: [{ type: "function", name: "exec_command" }], input: [task("create a.txt containing b")] };
    const call = scriptedResponse(body, { callId: "call_fakeX" }).output.at(-1) as any;
    expect(call).toMatchObject({ type: "function_call", name: "exec_command", callId: "call_fakeX" });
    expect(JSON.parse(call.arguments)).toEqual({ cmd: "printf '%s\\n' 'b' > 'a.txt'" });
    const next = { ...body, input: [...body.input, { type: "function_call_output", call_id: "call_fakeX", output: "" }] };
    expect(scriptedResponse(next)).toEqual({ output: [{ type: "message", text: "Created a.txt." }] });
  });

  test("a scripted tool call quotes the tool's output", () => {
    const opts = { toolCall: { tool: "mcp__bot_bottle__request_approval", input: { action: "x", reason: "y" } }, callId: "call_fake2" };
    const call = scriptedResponse({ input: [codeMode, task("go")] }, opts).output[0] as any;
    expect(call.input).toContain('await tools.mcp__bot_bottle__request_approval({"action":"x","reason":"y"})');
    const out = { type: "custom_tool_call_output", call_id: "call_fake2", output: [{ type: "input_text", text: "approve: ok" }] };
    expect(toolOutputFor({ input: [out] }, "call_fake")).toBe("approve: ok");
    expect(scriptedResponse({ input: [codeMode, task("go"), out] }, opts).output).toEqual([{ type: "message", text: "mcp__bot_bottle__request_approval returned: approve: ok" }]);
  });

  test("user text comes from user messages only, string input included", () => {
    expect(userText({ input: "create x" })).toBe("create x");
    expect(userText({ input: [{ type: "message", role: "developer", content: "create no" }, task("yes")] })).toBe("yes");
  });
});

describe("the fake server", () => {
  const fake = startFakeOpenAI({ auth: { bearer: KEY } });
  afterAll(() => fake.close());
  const headers = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };

  test("POST /v1/responses streams SSE with event: and data: lines", async () => {
    const res = await fetch(`${fake.url}/v1/responses`, { method: "POST", headers, body: JSON.stringify({ model: "gpt-5.1", stream: true, input: [task("hello")] }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    const events = parseSse(await res.text());
    expect(events[0]!.event).toBe("response.created");
    expect(events.at(-1)!.event).toBe("response.completed");
    for (const e of events) expect(e.data.type).toBe(e.event);
    expect(events.at(-1)!.data.response.output[0].content[0].text).toBe("OK");
  });

  test("without stream: the response object as JSON", async () => {
    const res = await fetch(`${fake.url}/v1/responses`, { method: "POST", headers, body: JSON.stringify({ model: "m", input: "hi" }) });
    expect(await res.json()).toMatchObject({ object: "response", status: "completed", model: "m" });
  });

  test("401 bodies like the real API: no key, a wrong key (redacted), and on the WebSocket upgrade", async () => {
    const none = await fetch(`${fake.url}/v1/responses`, { method: "POST", body: "{}" });
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).error).toMatchObject({ type: "invalid_request_error", code: null, param: null });
    const wrong = await fetch(`${fake.url}/v1/responses`, { method: "POST", headers: { authorization: "Bearer sk-proj-WRONGWRONGWRONGabcd" }, body: "{}" });
    const body = ((await wrong.json()) as any).error;
    expect(wrong.status).toBe(401);
    expect(body).toMatchObject({ type: "invalid_request_error", code: "invalid_api_key" });
    expect(body.message).toContain("sk-proj-********abcd");
    expect(body.message).not.toContain("WRONG");
    const ws = await fetch(`${fake.url}/v1/responses`, { headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" } });
    expect(ws.status).toBe(401);
  });

  test("previous_response_id over HTTP with store: false is not found", async () => {
    const res = await fetch(`${fake.url}/v1/responses`, { method: "POST", headers, body: JSON.stringify({ input: [], previous_response_id: "resp_x" }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe("previous_response_not_found");
  });

  test("WebSocket: one JSON frame per event; the socket keeps the conversation for previous_response_id", async () => {
    const ws = new WebSocket(`${fake.url.replace("http", "ws")}/v1/responses`, { headers: { authorization: `Bearer ${KEY}` } } as any);
    const frames: any[] = [];
    let waiter: (() => void) | undefined;
    ws.onmessage = (m) => {
      frames.push(JSON.parse(String(m.data)));
      if (frames.at(-1).type === "response.completed" || frames.at(-1).type === "error") waiter?.();
    };
    await new Promise((r) => (ws.onopen = r));
    const send = (msg: unknown) => new Promise<void>((r) => ((waiter = r), ws.send(JSON.stringify(msg))));

    const tools = { type: "additional_tools", tools: [{ type: "function", name: "exec_command" }] };
    await send({ type: "response.create", model: "m", input: [tools, task("create w.txt containing ws")] });
    const first = frames.at(-1).response;
    const call = first.output.find((o: any) => o.type === "function_call");
    expect(call.name).toBe("exec_command");
    frames.length = 0;
    // Only the new item, as Codex sends it: the task comes from the socket's state.
    await send({ type: "response.create", model: "m", previous_response_id: first.id, input: [{ type: "function_call_output", call_id: call.call_id, output: "" }] });
    expect(frames[0].type).toBe("response.created");
    expect(frames.at(-1).response.output[0].content[0].text).toBe("Created w.txt.");
    frames.length = 0;
    await send({ type: "response.create", model: "m", previous_response_id: "resp_unknown", input: [] });
    expect(frames[0]).toMatchObject({ type: "error", status: 400, error: { code: "previous_response_not_found" } });
    ws.close();
    const recorded = fake.requests.filter((r) => r.transport === "ws");
    expect(recorded.length).toBe(3);
    for (const r of recorded) expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  test("noWebSocket: the upgrade is refused with 426, so the client falls back to SSE", async () => {
    const noWs = startFakeOpenAI({ noWebSocket: true });
    try {
      const res = await fetch(`${noWs.url}/v1/responses`, { headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" } });
      expect(res.status).toBe(426);
    } finally {
      await noWs.close();
    }
  });
});
