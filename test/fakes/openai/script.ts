// The fake model's behaviour as a pure function of a Responses API request:
// a task such as "create hello.txt containing hi" gets one tool call that
// creates the file, with whichever shell tool the client offers; once the
// tool's output comes back, a short final answer. A prewarm request
// (`generate: false`) gets an empty response; anything else a plain "OK".
import { parseTask } from "../anthropic/script.ts";
import type { OutputItem, ResponseTurn } from "./responses.ts";

export interface OfferedTool {
  type: string;
  name: string;
  namespace?: string;
}

export interface ScriptOptions {
  /** Stable call ids make the output reproducible in tests. */
  callId?: string;
  /** Instead of the file task: call this tool (by its name as offered), then quote its result. */
  toolCall?: { tool: string; input: Record<string, unknown> };
}

type Item = { type?: string; role?: string; content?: unknown; tools?: unknown; call_id?: string; name?: string; output?: unknown };

const isItem = (x: unknown): x is Item => typeof x === "object" && x !== null;

function inputItems(body: any): Item[] {
  if (typeof body?.input === "string") return [{ type: "message", role: "user", content: body.input }];
  return Array.isArray(body?.input) ? body.input.filter(isItem) : [];
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((c: any) => (typeof c?.text === "string" ? c.text : "")).join("\n");
}

function flatten(tools: unknown, namespace?: string): OfferedTool[] {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((t: any): OfferedTool[] => {
    if (t?.type === "namespace") return flatten(t.tools, String(t.name));
    const name = t?.name ?? t?.function?.name;
    return typeof name === "string" ? [{ type: String(t.type), name, ...(namespace ? { namespace } : {}) }] : [];
  });
}

/** Tools in `tools` and in `additional_tools` input items (how Codex sends namespaced tools). */
export function offeredTools(body: any): OfferedTool[] {
  const fromInput = inputItems(body).filter((i) => i.type === "additional_tools").flatMap((i) => flatten(i.tools));
  return [...flatten(body?.tools), ...fromInput];
}

/** The output of the latest call the model made to a tool, or null when none came back yet. */
export function toolOutputFor(body: any, callPrefix: string): string | null {
  const outs = inputItems(body).filter((i) => (i.type === "function_call_output" || i.type === "custom_tool_call_output") && String(i.call_id).startsWith(callPrefix));
  if (!outs.length) return null;
  const out = outs.at(-1)!.output;
  return typeof out === "string" ? out : textOf(out);
}

export function userText(body: any): string {
  return inputItems(body).filter((i) => i.type === "message" && i.role === "user").map((i) => textOf(i.content)).join("\n");
}

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** A call of `tool` with `args`: directly when offered as a function, else through code mode's `exec`. */
function callTool(tools: OfferedTool[], tool: string, args: Record<string, unknown>, callId: string): OutputItem | null {
  const direct = tools.find((t) => t.type === "function" && t.name === tool);
  if (direct) return { type: "function_call", name: tool, callId, arguments: JSON.stringify(args), ...(direct.namespace && direct.namespace !== "functions" ? { namespace: direct.namespace } : {}) };
  const exec = tools.find((t) => t.type === "custom" && t.name === "exec");
  if (!exec) return null;
  // Code mode: the model writes JavaScript that calls nested tools on `tools`.
  const ident = tool.replace(/[^A-Za-z0-9_$]/g, "_");
  // The pragma keeps a long call (an operator's approval) from yielding back to the model half-way.
  const input = `// @exec: {"yield_time_ms": 600000}\nconst r = await tools.${ident}(${JSON.stringify(args)});\ntext(typeof r === "string" ? r : JSON.stringify(r));\n`;
  return { type: "custom_tool_call", name: "exec", callId, input };
}

export const CALL_PREFIX = "call_fake";

export function scriptedResponse(body: any, opts: ScriptOptions = {}): ResponseTurn {
  if (body?.generate === false) return { output: [] };
  const callId = opts.callId ?? `${CALL_PREFIX}${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const tools = offeredTools(body);

  if (opts.toolCall) {
    const result = toolOutputFor(body, CALL_PREFIX);
    if (result !== null) return { output: [{ type: "message", text: `${opts.toolCall.tool} returned: ${result}` }] };
    const call = callTool(tools, opts.toolCall.tool, opts.toolCall.input, callId);
    return { output: [call ?? { type: "message", text: `no tool ${opts.toolCall.tool} offered` }] };
  }

  const task = parseTask(userText(body));
  if (!task) return { output: [{ type: "message", text: "OK" }] };
  if (toolOutputFor(body, CALL_PREFIX) !== null) return { output: [{ type: "message", text: `Created ${task.file}.` }] };
  const cmd = `printf '%s\\n' ${shellQuote(task.content)} > ${shellQuote(task.file)}`;
  const call =
    callTool(tools, "exec_command", { cmd }, callId) ??
    (tools.some((t) => t.type === "function" && t.name === "shell") ? callTool(tools, "shell", { command: ["bash", "-lc", cmd] }, callId) : null);
  return { output: call ? [{ type: "message", text: `I'll create ${task.file}.` }, call] : [{ type: "message", text: "no shell tool offered" }] };
}
