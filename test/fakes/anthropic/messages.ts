// Encoding of Anthropic Messages API answers, streaming (SSE) and not, exactly
// as the real API shapes them: Claude Code parses these with the official SDK,
// which rejects events out of order or blocks without their stop event.

export type ContentBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface AssistantTurn {
  content: ContentBlock[];
  stopReason: "end_turn" | "tool_use" | "max_tokens";
}

export interface MessageMeta {
  id: string;
  model: string;
  inputTokens: number;
}

function outputTokens(turn: AssistantTurn): number {
  const chars = turn.content.reduce((n, b) => n + (b.type === "text" ? b.text.length : JSON.stringify(b.input).length), 0);
  return Math.max(1, Math.ceil(chars / 4));
}

/** The non-streaming body of POST /v1/messages. */
export function messageJson(turn: AssistantTurn, meta: MessageMeta): Record<string, unknown> {
  return {
    id: meta.id,
    type: "message",
    role: "assistant",
    model: meta.model,
    content: turn.content,
    stop_reason: turn.stopReason,
    stop_sequence: null,
    usage: usage(meta.inputTokens, outputTokens(turn)),
  };
}

function usage(input: number, output: number) {
  return {
    input_tokens: input,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: output,
    service_tier: "standard",
  };
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Split a string into pieces of at most `size` characters (deltas arrive in pieces). */
export function chunks(s: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out.length ? out : [""];
}

/** The SSE events of a streamed answer, in the order the real API sends them. */
export function messageEvents(turn: AssistantTurn, meta: MessageMeta): string[] {
  const events: string[] = [];
  events.push(
    sse("message_start", {
      type: "message_start",
      message: { ...messageJson({ ...turn, content: [] }, meta), content: [], stop_reason: null, usage: usage(meta.inputTokens, 1) },
    }),
  );
  events.push(sse("ping", { type: "ping" }));
  turn.content.forEach((block, index) => {
    if (block.type === "text") {
      events.push(sse("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } }));
      for (const text of chunks(block.text, 24)) {
        events.push(sse("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text } }));
      }
    } else {
      events.push(
        sse("content_block_start", {
          type: "content_block_start",
          index,
          content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
        }),
      );
      for (const partial_json of chunks(JSON.stringify(block.input), 16)) {
        events.push(
          sse("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } }),
        );
      }
    }
    events.push(sse("content_block_stop", { type: "content_block_stop", index }));
  });
  events.push(
    sse("message_delta", {
      type: "message_delta",
      delta: { stop_reason: turn.stopReason, stop_sequence: null },
      usage: { output_tokens: outputTokens(turn) },
    }),
  );
  events.push(sse("message_stop", { type: "message_stop" }));
  return events;
}

/** Parse an SSE stream back into (event, data) pairs: for tests of the fake itself. */
export function parseSse(text: string): { event: string; data: any }[] {
  return text
    .split("\n\n")
    .filter((frame) => frame.trim() !== "")
    .map((frame) => {
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? "";
      const data = /^data: (.*)$/m.exec(frame)?.[1] ?? "null";
      return { event, data: JSON.parse(data) };
    });
}
