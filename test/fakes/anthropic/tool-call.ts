// A scripted tool call for e2e tests of tools the model must call by name
// (the bundle's MCP tools): the main request gets one tool_use with a fixed
// input (after loading it through ToolSearch when Claude Code defers it); once Claude Code sends back its tool_result, the final answer quotes
// that result, so the run's output shows what the tool returned.
import type { AssistantTurn } from "./messages.ts";

export interface ToolCallScript {
  /** The tool's name as Claude Code offers it, e.g. mcp__bot-bottle__request_approval. */
  tool: string;
  input: Record<string, unknown>;
  toolUseId?: string;
  /** The final answer, from the tool result's text (default: "<tool> returned: <text>"). */
  answer?: (result: string) => string;
}

type Block = { type: string; id?: string; name?: string; tool_use_id?: string; text?: string; content?: unknown };
type Message = { role: string; content: string | Block[] };

const blocks = (m: Message): Block[] => (Array.isArray(m.content) ? m.content : []);

/** A tool_result's content as text: a string, or the text of its blocks. */
export function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((b: Block) => (b?.type === "text" ? (b.text ?? "") : "")).join("\n");
}

/** The text of the latest result of a call to `tool`, or null when there is none yet. */
export function toolResultFor(messages: Message[], tool: string): string | null {
  const ids = new Set(messages.flatMap((m) => (m.role === "assistant" ? blocks(m) : [])).filter((b) => b.type === "tool_use" && b.name === tool).map((b) => b.id));
  const results = messages.flatMap((m) => (m.role === "user" ? blocks(m) : [])).filter((b) => b.type === "tool_result" && ids.has(b.tool_use_id));
  return results.length ? resultText(results.at(-1)!.content) : null;
}

/** Claude Code's tool that loads deferred tools (MCP tools are deferred: only their names are in the prompt). */
export const TOOL_SEARCH = "ToolSearch";

export function toolCallTurn(body: any, script: ToolCallScript): AssistantTurn {
  const messages: Message[] = Array.isArray(body?.messages) ? body.messages : [];
  const offered: string[] = (body?.tools ?? []).map((t: { name?: string }) => String(t?.name));
  const result = toolResultFor(messages, script.tool);
  if (result !== null) {
    const text = script.answer ? script.answer(result) : `${script.tool} returned: ${result}`;
    return { content: [{ type: "text", text }], stopReason: "end_turn" };
  }
  // Side requests (titles, topic checks) come without tools: a plain answer.
  if (offered.length === 0) return { content: [{ type: "text", text: "OK" }], stopReason: "end_turn" };
  const id = script.toolUseId ?? `toolu_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
  // A deferred tool is loaded first, as the real model does; if loading failed, the call's error comes back as its result.
  if (offered.includes(script.tool) || toolResultFor(messages, TOOL_SEARCH) !== null) {
    return { content: [{ type: "tool_use", id, name: script.tool, input: script.input }], stopReason: "tool_use" };
  }
  if (offered.includes(TOOL_SEARCH)) {
    const input = { query: `select:${script.tool}`, max_results: 1 };
    return { content: [{ type: "tool_use", id: `${id}_search`, name: TOOL_SEARCH, input }], stopReason: "tool_use" };
  }
  // Said in the output, so a test failing here names the cause (no MCP server, a renamed tool).
  return { content: [{ type: "text", text: `${script.tool} is not among the tools offered: ${offered.join(", ")}` }], stopReason: "end_turn" };
}
