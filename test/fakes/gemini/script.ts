// The fake Gemini model's behaviour, as a pure function of a generateContent
// request: a task such as "create hello.txt containing hi" gets one
// functionCall that creates the file (write_file, or run_shell_command when
// that is all Gemini CLI offers); once the functionResponse comes back, a
// short final text. Side requests the CLI makes (JSON-mode checks such as
// "who speaks next", routing, titles) get a plain or schema-shaped answer.
import { parseTask } from "../anthropic/script.ts";

export type Part =
  | { text: string; thought?: boolean }
  | { functionCall: { name: string; args: Record<string, unknown>; id?: string } }
  | { functionResponse: { name: string; response: unknown; id?: string } };

export interface Content {
  role?: string;
  parts?: Part[];
}

/** One model turn: its parts and why it stopped. */
export interface ModelTurn {
  parts: Part[];
  finishReason: "STOP" | "MAX_TOKENS";
}

const textOf = (c: Content) => (c.parts ?? []).map((p) => ("text" in p ? p.text : "")).join("\n");

function declaredTools(body: any): Set<string> {
  const names = new Set<string>();
  for (const t of body?.tools ?? []) for (const f of t?.functionDeclarations ?? []) if (f?.name) names.add(String(f.name));
  return names;
}

/** The result of the latest call to `name`, or null when none came back yet. */
export function functionResponseFor(contents: Content[], name?: string): unknown | null {
  const found = contents.flatMap((c) => c.parts ?? []).filter((p): p is Extract<Part, { functionResponse: unknown }> => "functionResponse" in p);
  const hit = name ? found.filter((p) => p.functionResponse.name === name) : found;
  return hit.length ? hit.at(-1)!.functionResponse.response : null;
}

/** Gemini CLI says the workspace in its first user turn ("I'm currently working in the directory: /x"). */
export function workspaceDir(contents: Content[], system?: Content): string | null {
  const text = [system ? textOf(system) : "", ...contents.map(textOf)].join("\n");
  return /working in the directory:?\s*(\/[^\s`'"]*)/i.exec(text)?.[1]?.replace(/[.,;]$/, "") ?? null;
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** A JSON answer shaped by the request's response schema: a side request expecting JSON. */
export function jsonAnswer(schema: any): unknown {
  const props: Record<string, any> = schema?.properties ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(props)) {
    if (k === "next_speaker") out[k] = "user";
    else if (Array.isArray(s?.enum) && s.enum.length) out[k] = s.enum[0];
    else if (s?.type === "boolean" || s?.type === "BOOLEAN") out[k] = false;
    // Scores and counts: the smallest allowed, a real model's answer to a trivial task.
    else if (/^(number|integer)$/i.test(String(s?.type))) out[k] = typeof s?.minimum === "number" ? s.minimum : 1;
    else if (s?.type === "array" || s?.type === "ARRAY") out[k] = [];
    else out[k] = "ok";
  }
  return out;
}

export function scriptedGeminiTurn(body: any): ModelTurn {
  const contents: Content[] = Array.isArray(body?.contents) ? body.contents : [];
  const cfg = body?.generationConfig ?? {};
  if (cfg.responseMimeType === "application/json") {
    return { parts: [{ text: JSON.stringify(jsonAnswer(cfg.responseJsonSchema ?? cfg.responseSchema)) }], finishReason: "STOP" };
  }
  const tools = declaredTools(body);
  const userText = contents.filter((c) => c.role === "user").map(textOf).join("\n");
  const task = parseTask(userText);
  if (!task) return { parts: [{ text: "OK" }], finishReason: "STOP" };
  if (functionResponseFor(contents) !== null) return { parts: [{ text: `Created ${task.file}.` }], finishReason: "STOP" };
  const dir = workspaceDir(contents, body?.systemInstruction);
  if (tools.has("write_file") && (dir || task.file.startsWith("/"))) {
    const file_path = task.file.startsWith("/") ? task.file : `${dir!.replace(/\/$/, "")}/${task.file}`;
    return {
      parts: [{ text: `I'll create ${task.file}.` }, { functionCall: { name: "write_file", args: { file_path, content: task.content + "\n" } } }],
      finishReason: "STOP",
    };
  }
  if (tools.has("run_shell_command")) {
    const command = `printf '%s\\n' ${shellQuote(task.content)} > ${shellQuote(task.file)}`;
    return { parts: [{ functionCall: { name: "run_shell_command", args: { command, description: `Create ${task.file}` } } }], finishReason: "STOP" };
  }
  return { parts: [{ text: `no tool to create ${task.file}: offered ${[...tools].join(", ") || "none"}` }], finishReason: "STOP" };
}

/** Call the first offered function whose name matches (MCP tools carry a server prefix), then quote its result. */
export interface GeminiToolCallScript {
  match: RegExp;
  args: Record<string, unknown>;
  answer?: (name: string, result: unknown) => string;
}

export function geminiToolCallTurn(body: any, script: GeminiToolCallScript): ModelTurn {
  const contents: Content[] = Array.isArray(body?.contents) ? body.contents : [];
  if (body?.generationConfig?.responseMimeType === "application/json") return scriptedGeminiTurn(body);
  const name = [...declaredTools(body)].find((n) => script.match.test(n));
  const called = contents.flatMap((c) => c.parts ?? []).find((p) => "functionResponse" in p && script.match.test(p.functionResponse.name));
  if (called && "functionResponse" in called) {
    const { name: n, response } = called.functionResponse;
    return { parts: [{ text: script.answer ? script.answer(n, response) : `${n} returned: ${JSON.stringify(response)}` }], finishReason: "STOP" };
  }
  if (!name) return { parts: [{ text: `no tool matching ${script.match} among: ${[...declaredTools(body)].join(", ") || "none"}` }], finishReason: "STOP" };
  return { parts: [{ functionCall: { name, args: script.args } }], finishReason: "STOP" };
}
