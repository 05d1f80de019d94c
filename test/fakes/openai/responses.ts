// The OpenAI Responses API's streaming events for one scripted model turn:
// the same event names, fields and order the real API sends, framed as SSE
// (`event:` + `data:` lines, for POST /v1/responses) or as one JSON text
// frame per event (the Responses WebSocket Codex prefers).

/** One item of the model's output. */
export type OutputItem =
  | { type: "message"; text: string }
  | { type: "function_call"; name: string; callId: string; arguments: string; namespace?: string }
  | { type: "custom_tool_call"; name: string; callId: string; input: string; namespace?: string };

export interface ResponseTurn {
  output: OutputItem[];
}

export interface ResponseMeta {
  id: string;
  model: string;
  inputTokens: number;
  createdAt?: number;
}

export type ResponseEvent = { type: string; sequence_number: number } & Record<string, unknown>;

const rid = (prefix: string) => `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;

/** The `item` of output_item.done / response.completed for a finished output item. */
export function itemJson(item: OutputItem, id: string): Record<string, unknown> {
  switch (item.type) {
    case "message":
      return { id, type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", text: item.text, annotations: [], logprobs: [] }] };
    case "function_call":
      return { id, type: "function_call", status: "completed", call_id: item.callId, name: item.name, arguments: item.arguments, ...(item.namespace ? { namespace: item.namespace } : {}) };
    case "custom_tool_call":
      return { id, type: "custom_tool_call", status: "completed", call_id: item.callId, name: item.name, input: item.input, ...(item.namespace ? { namespace: item.namespace } : {}) };
  }
}

function itemId(item: OutputItem): string {
  return rid(item.type === "message" ? "msg" : item.type === "function_call" ? "fc" : "ctc");
}

/** Text split into a few deltas, as a real stream would carry it. */
export function chunks(text: string, size = 12): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function outputTokens(turn: ResponseTurn): number {
  const len = turn.output.reduce((n, o) => n + (o.type === "message" ? o.text.length : o.type === "function_call" ? o.arguments.length : o.input.length), 0);
  return Math.max(1, Math.ceil(len / 4));
}

/** The response object as response.created (in progress) and response.completed carry it. */
export function responseJson(meta: ResponseMeta, status: "in_progress" | "completed", output: Record<string, unknown>[], outTokens = 0) {
  return {
    id: meta.id,
    object: "response",
    created_at: meta.createdAt ?? Math.floor(Date.now() / 1000),
    status,
    error: null,
    incomplete_details: null,
    model: meta.model,
    output,
    parallel_tool_calls: false,
    store: false,
    usage:
      status === "completed"
        ? {
            input_tokens: meta.inputTokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: outTokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: meta.inputTokens + outTokens,
          }
        : null,
  };
}

/** Every event of one streamed response, in order, numbered. */
export function responseEvents(turn: ResponseTurn, meta: ResponseMeta): ResponseEvent[] {
  const events: Omit<ResponseEvent, "sequence_number">[] = [];
  const done: Record<string, unknown>[] = [];
  events.push({ type: "response.created", response: responseJson(meta, "in_progress", []) });
  events.push({ type: "response.in_progress", response: responseJson(meta, "in_progress", []) });
  turn.output.forEach((item, output_index) => {
    const id = itemId(item);
    const full = itemJson(item, id);
    if (item.type === "message") {
      events.push({ type: "response.output_item.added", output_index, item: { id, type: "message", status: "in_progress", role: "assistant", content: [] } });
      const part = { type: "output_text", text: "", annotations: [], logprobs: [] };
      events.push({ type: "response.content_part.added", item_id: id, output_index, content_index: 0, part });
      for (const delta of chunks(item.text)) events.push({ type: "response.output_text.delta", item_id: id, output_index, content_index: 0, delta, logprobs: [] });
      events.push({ type: "response.output_text.done", item_id: id, output_index, content_index: 0, text: item.text, logprobs: [] });
      events.push({ type: "response.content_part.done", item_id: id, output_index, content_index: 0, part: { ...part, text: item.text } });
    } else if (item.type === "function_call") {
      events.push({ type: "response.output_item.added", output_index, item: { ...full, status: "in_progress", arguments: "" } });
      for (const delta of chunks(item.arguments)) events.push({ type: "response.function_call_arguments.delta", item_id: id, output_index, delta });
      events.push({ type: "response.function_call_arguments.done", item_id: id, output_index, arguments: item.arguments });
    } else {
      events.push({ type: "response.output_item.added", output_index, item: { ...full, status: "in_progress", input: "" } });
      for (const delta of chunks(item.input)) events.push({ type: "response.custom_tool_call_input.delta", item_id: id, output_index, delta });
      events.push({ type: "response.custom_tool_call_input.done", item_id: id, output_index, input: item.input });
    }
    events.push({ type: "response.output_item.done", output_index, item: full });
    done.push(full);
  });
  events.push({ type: "response.completed", response: responseJson(meta, "completed", done, outputTokens(turn)) });
  return events.map((e, sequence_number) => ({ ...e, sequence_number }) as ResponseEvent);
}

/** SSE framing of one event (the HTTP transport). */
export function sseFrame(e: ResponseEvent): string {
  return `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

/** Parse an SSE body back into its events (tests). */
export function parseSse(text: string): { event: string; data: any }[] {
  return text
    .split("\n\n")
    .filter((b) => b.trim())
    .map((block) => {
      const lines = block.split("\n");
      const event = lines.find((l) => l.startsWith("event: "))?.slice(7) ?? "";
      const data = lines.filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      return { event, data: JSON.parse(data) };
    });
}

/** The API's error body: `{"error": {message, type, param, code}}`. */
export function errorBody(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

export function newResponseId(): string {
  return rid("resp");
}
