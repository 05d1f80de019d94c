// The fake model's behaviour, as a pure function of the request body: a task
// such as "create hello.txt containing hi" gets one tool call that creates the
// file, then, once the tool result comes back, a short final answer. Every
// other request Claude Code or opencode makes on the side (titles, topic checks, quota
// probes) gets a plain text answer.
import type { AssistantTurn } from "./messages.ts";

export interface FileTask {
  file: string;
  content: string;
}

export interface ScriptOptions {
  /** Tool used to create the file; falls back to Bash when Write is not offered. */
  tool?: "Write" | "Bash";
  /** Stable ids make the output reproducible in tests. */
  toolUseId?: string;
}

type Block = { type: string; text?: string; content?: unknown };
type Message = { role: string; content: string | Block[] };

/** `create hello.txt`, `create a file named x/y.txt containing some text`. */
export function parseTask(text: string): FileTask | null {
  const m = /\bcreate\s+(?:a\s+file\s+)?(?:(?:named|called)\s+)?([\w./-]*\w)(?:\s+(?:containing|with(?:\s+the)?\s+(?:content|text))\s+["']?(.+?)["']?)?\s*\.?\s*$/im.exec(
    text,
  );
  if (!m) return null;
  return { file: m[1]!, content: m[2] ?? "hi" };
}

function textOf(content: string | Block[]): string {
  if (typeof content === "string") return content;
  return content.map((b) => (b.type === "text" ? (b.text ?? "") : "")).join("\n");
}

function hasToolResult(messages: Message[]): boolean {
  return messages.some((m) => m.role === "user" && Array.isArray(m.content) && m.content.some((b) => b.type === "tool_result"));
}

/** Claude Code states the session's cwd in its system prompt ("Working directory: /x"). */
export function workingDirectory(system: unknown): string | null {
  const text = typeof system === "string" ? system : Array.isArray(system) ? system.map((b) => b?.text ?? "").join("\n") : "";
  return /Working directory:\s*(\/\S*)/.exec(text)?.[1] ?? null;
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

export function scriptedTurn(body: any, opts: ScriptOptions = {}): AssistantTurn {
  const messages: Message[] = Array.isArray(body?.messages) ? body.messages : [];
  const toolNames = new Set<string>((body?.tools ?? []).map((t: { name?: string }) => t?.name));
  const userText = messages.filter((m) => m.role === "user").map((m) => textOf(m.content)).join("\n");
  const task = parseTask(userText);

  if (task && hasToolResult(messages)) {
    return { content: [{ type: "text", text: `Created ${task.file}.` }], stopReason: "end_turn" };
  }
  const id = opts.toolUseId ?? `toolu_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
  const cwd = workingDirectory(body?.system);
  if (task && toolNames.has("Write") && opts.tool !== "Bash" && cwd) {
    const file_path = task.file.startsWith("/") ? task.file : `${cwd.replace(/\/$/, "")}/${task.file}`;
    return {
      content: [
        { type: "text", text: `I'll create ${task.file}.` },
        { type: "tool_use", id, name: "Write", input: { file_path, content: task.content + "\n" } },
      ],
      stopReason: "tool_use",
    };
  }
  // opencode names its tools in lower case, with camelCase arguments.
  if (task && toolNames.has("write") && opts.tool !== "Bash" && cwd) {
    const filePath = task.file.startsWith("/") ? task.file : `${cwd.replace(/\/$/, "")}/${task.file}`;
    return {
      content: [
        { type: "text", text: `I'll create ${task.file}.` },
        { type: "tool_use", id, name: "write", input: { filePath, content: task.content + "\n" } },
      ],
      stopReason: "tool_use",
    };
  }
  const bash = toolNames.has("Bash") ? "Bash" : toolNames.has("bash") ? "bash" : null;
  if (task && bash) {
    const command = `printf '%s\\n' ${shellQuote(task.content)} > ${shellQuote(task.file)}`;
    return {
      content: [{ type: "tool_use", id, name: bash, input: { command, description: `Create ${task.file}` } }],
      stopReason: "tool_use",
    };
  }
  return { content: [{ type: "text", text: "OK" }], stopReason: "end_turn" };
}
