// The Gemini fake must be faithful to the protocol (paths, auth, SSE framing,
// error bodies), or e2e failures would point at the product when the fake is to blame.
import { afterAll, describe, expect, test } from "bun:test";
import { startFakeGemini } from "../gemini-api.ts";
import { parseSseChunks, sseFrames, streamChunks } from "./responses.ts";
import { functionResponseFor, geminiToolCallTurn, jsonAnswer, scriptedGeminiTurn, workspaceDir } from "./script.ts";

const KEY = "AIzaSyA1b2C3d4E5f6G7h8I9j0K_L-M2n3O4p5Q";
const task = { role: "user", parts: [{ text: "I'm currently working in the directory: /home/node/work\n" }, { text: "create hello.txt containing hi" }] };
const tools = [{ functionDeclarations: [{ name: "write_file" }, { name: "run_shell_command" }] }];

describe("scriptedGeminiTurn", () => {
  test("first turn: a write_file functionCall with an absolute path", () => {
    expect(scriptedGeminiTurn({ contents: [task], tools })).toEqual({
      parts: [{ text: "I'll create hello.txt." }, { functionCall: { name: "write_file", args: { file_path: "/home/node/work/hello.txt", content: "hi\n" } } }],
      finishReason: "STOP",
    });
  });

  test("without write_file or a known directory: run_shell_command", () => {
    const turn = scriptedGeminiTurn({ contents: [{ role: "user", parts: [{ text: "create a.txt containing b" }] }], tools });
    expect(turn.parts).toEqual([{ functionCall: { name: "run_shell_command", args: { command: "printf '%s\\n' 'b' > 'a.txt'", description: "Create a.txt" } } }]);
  });

  test("after the functionResponse: the final text", () => {
    const contents = [
      task,
      { role: "model", parts: [{ functionCall: { name: "write_file", args: {} } }] },
      { role: "user", parts: [{ functionResponse: { name: "write_file", response: { output: "ok" } } }] },
    ];
    expect(functionResponseFor(contents, "write_file")).toEqual({ output: "ok" });
    expect(scriptedGeminiTurn({ contents, tools })).toEqual({ parts: [{ text: "Created hello.txt." }], finishReason: "STOP" });
  });

  test("JSON-mode side requests get an object shaped by their schema", () => {
    const schema = {
      type: "object",
      properties: { reasoning: { type: "string" }, next_speaker: { type: "string", enum: ["user", "model"] }, complexity_score: { type: "INTEGER" }, pick: { enum: ["flash", "pro"] } },
    };
    expect(jsonAnswer(schema)).toEqual({ reasoning: "ok", next_speaker: "user", complexity_score: 1, pick: "flash" });
    const turn = scriptedGeminiTurn({ contents: [task], generationConfig: { responseMimeType: "application/json", responseJsonSchema: schema } });
    expect(JSON.parse((turn.parts[0] as { text: string }).text).next_speaker).toBe("user");
  });

  test("workspaceDir reads the CLI's own sentence", () => {
    expect(workspaceDir([task])).toBe("/home/node/work");
    expect(workspaceDir([{ role: "user", parts: [{ text: "hello" }] }])).toBeNull();
  });
});

describe("stream framing", () => {
  const meta = { model: "gemini-2.5-pro", promptTokens: 10, responseId: "r1" };
  test("text is cut in pieces, the functionCall whole, finishReason and usage only on the last chunk", () => {
    const chunks = streamChunks(scriptedGeminiTurn({ contents: [task], tools }), meta) as any[];
    expect(chunks.length).toBe(3);
    expect(chunks.slice(0, 2).map((c) => c.candidates[0].content.parts[0].text).join("")).toBe("I'll create hello.txt.");
    expect(chunks[2].candidates[0].content.parts[0].functionCall.name).toBe("write_file");
    expect(chunks.map((c) => c.candidates[0].finishReason)).toEqual([undefined, undefined, "STOP"]);
    expect(chunks.map((c) => Boolean(c.usageMetadata))).toEqual([false, false, true]);
    expect(chunks.every((c) => c.candidates[0].content.role === "model" && c.modelVersion === "gemini-2.5-pro")).toBe(true);
  });

  test("each event is `data: JSON` closed by CRLF CRLF, and parses back", () => {
    const frames = sseFrames([{ a: 1 }, { b: "x\ny" }]);
    expect(frames).toEqual(['data: {"a":1}\r\n\r\n', 'data: {"b":"x\\ny"}\r\n\r\n']);
    expect(parseSseChunks(frames.join(""))).toEqual([{ a: 1 }, { b: "x\ny" }]);
  });
});

describe("the fake server", () => {
  const fake = startFakeGemini({ apiKey: KEY });
  afterAll(() => fake.close());
  const post = (path: string, body: unknown, headers: Record<string, string> = { "x-goog-api-key": KEY }) =>
    fetch(fake.url + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

  test("streamGenerateContent?alt=sse answers an SSE stream of chunks", async () => {
    const res = await post("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", { contents: [task], tools });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const chunks = parseSseChunks(await res.text());
    expect(chunks.at(-1).candidates[0].content.parts[0].functionCall.args.file_path).toBe("/home/node/work/hello.txt");
    expect(fake.generateRequests().length).toBe(1);
  });

  test("generateContent answers one JSON object; countTokens a count", async () => {
    const gen: any = await (await post("/v1beta/models/gemini-2.5-flash:generateContent", { contents: [task] })).json();
    expect(gen.candidates[0].finishReason).toBe("STOP");
    expect(gen.usageMetadata.totalTokenCount).toBeGreaterThan(0);
    const count: any = await (await post("/v1beta/models/gemini-2.5-flash:countTokens", { contents: [task] })).json();
    expect(count.totalTokens).toBeGreaterThan(0);
  });

  test("no key: 403 PERMISSION_DENIED; a wrong key: 400 API_KEY_INVALID, as the real API", async () => {
    const none = await post("/v1beta/models/m:generateContent", { contents: [task] }, {});
    expect(none.status).toBe(403);
    expect(((await none.json()) as any).error.status).toBe("PERMISSION_DENIED");
    const wrong = await post("/v1beta/models/m:generateContent", { contents: [task] }, { "x-goog-api-key": KEY.replace("AIzaSy", "AIzaSz") });
    expect(wrong.status).toBe(400);
    const body: any = await wrong.json();
    expect(body.error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT", message: "API key not valid. Please pass a valid API key." });
    expect(body.error.details[0].reason).toBe("API_KEY_INVALID");
  });

  test("a request without contents is a 400; unknown methods 404", async () => {
    expect((await post("/v1beta/models/m:generateContent", { contents: [] })).status).toBe(400);
    expect((await post("/v1beta/models/m:predict", { contents: [task] })).status).toBe(404);
    expect((await fetch(fake.url + "/v1beta/models", { headers: { "x-goog-api-key": KEY } }).then((r) => r.json() as any)).models.length).toBeGreaterThan(0);
  });
});

describe("geminiToolCallTurn", () => {
  const script = { match: /request_approval$/, args: { action: "a", reason: "r" } };
  const offered = [{ functionDeclarations: [{ name: "write_file" }, { name: "mcp_bot-bottle_request_approval" }] }];
  test("calls the offered tool whose name matches, whatever its server prefix", () => {
    expect(geminiToolCallTurn({ contents: [task], tools: offered }, script).parts).toEqual([
      { functionCall: { name: "mcp_bot-bottle_request_approval", args: { action: "a", reason: "r" } } },
    ]);
  });
  test("quotes the function's response once it comes back", () => {
    const contents = [task, { role: "user", parts: [{ functionResponse: { name: "mcp_bot-bottle_request_approval", response: { output: "approve" } } }] }];
    expect(geminiToolCallTurn({ contents, tools: offered }, script).parts).toEqual([{ text: 'mcp_bot-bottle_request_approval returned: {"output":"approve"}' }]);
  });
  test("says so when no such tool is offered", () => {
    expect((geminiToolCallTurn({ contents: [task], tools }, script).parts[0] as { text: string }).text).toContain("no tool matching");
  });
});
