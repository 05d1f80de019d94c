// A scripted fake of the Anthropic Messages API for end-to-end tests with real
// Claude Code. It records every request (headers included) so tests can prove
// the bundle injected the REAL key and the placeholder never left the bottle.
// Run standalone: `bun test/fakes/anthropic-api.ts [port] [host]`.
import { messageEvents, messageJson, type AssistantTurn } from "./anthropic/messages.ts";
import { scriptedTurn, type ScriptOptions } from "./anthropic/script.ts";
import { toolCallTurn, type ToolCallScript } from "./anthropic/tool-call.ts";
import { listenAddress, recordRequest, standaloneAddress, type RecordedRequest } from "./recorded.ts";

export type { RecordedRequest };

export interface FakeAnthropicOptions {
  hostname?: string;
  port?: number;
  /** When set, requests without this key (x-api-key or Bearer) get a 401 like the real API. */
  apiKey?: string;
  /** Replace the default script. */
  script?: (body: any) => AssistantTurn;
  scriptOptions?: ScriptOptions;
  /** Instead of the file task: call this tool, then answer with its result. */
  toolCall?: ToolCallScript;
  /** Print one line per request (debugging Claude Code's startup calls). */
  log?: boolean;
}

export interface FakeAnthropic {
  url: string;
  port: number;
  hostname: string;
  requests: RecordedRequest[];
  /** POST /v1/messages requests only. */
  messageRequests(): RecordedRequest[];
  close(): Promise<void>;
}

export const FAKE_MODELS = ["claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001", "claude-3-5-haiku-20241022"];

function error(status: number, type: string, message: string): Response {
  return Response.json({ type: "error", error: { type, message } }, { status, headers: { "request-id": requestId() } });
}

function requestId(): string {
  return `req_fake${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
}

function modelInfo(id: string) {
  return { type: "model", id, display_name: id, created_at: "2025-01-01T00:00:00Z" };
}

/** Crude token estimate: Claude Code only displays it. */
function estimateTokens(body: string): number {
  return Math.max(1, Math.ceil(body.length / 4));
}

/** The key a request presents, however it is carried. */
export function presentedKey(headers: Record<string, string>): string | undefined {
  if (headers["x-api-key"]) return headers["x-api-key"];
  const auth = headers["authorization"];
  return auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
}

export function startFakeAnthropic(opts: FakeAnthropicOptions = {}): FakeAnthropic {
  const requests: RecordedRequest[] = [];
  const toolCall = opts.toolCall;
  const script = opts.script ?? (toolCall ? (body: any) => toolCallTurn(body, toolCall) : (body: any) => scriptedTurn(body, opts.scriptOptions));

  const server = Bun.serve({
    hostname: opts.hostname ?? "127.0.0.1",
    port: opts.port ?? 0,
    idleTimeout: 60,
    async fetch(req) {
      const url = new URL(req.url);
      const recorded = await recordRequest(req, url);
      const { body, headers, json } = recorded;
      requests.push(recorded);
      if (opts.log) console.error(`[fake-anthropic] ${req.method} ${url.pathname}${url.search} ${body.length}B stream=${json?.stream ?? "-"}`);

      // Claude Code probes HEAD /api/hello for connectivity before its first request.
      if (url.pathname === "/" || url.pathname === "/api/hello") return new Response(req.method === "HEAD" ? null : "ok");
      if (!url.pathname.startsWith("/v1/")) return error(404, "not_found_error", `no route ${req.method} ${url.pathname}`);
      if (opts.apiKey !== undefined && presentedKey(headers) !== opts.apiKey) {
        return error(401, "authentication_error", "invalid x-api-key");
      }

      if (req.method === "POST" && url.pathname === "/v1/messages/count_tokens") {
        return Response.json({ input_tokens: estimateTokens(body) });
      }
      if (req.method === "GET" && url.pathname === "/v1/models") {
        const data = FAKE_MODELS.map(modelInfo);
        return Response.json({ data, has_more: false, first_id: data[0]!.id, last_id: data.at(-1)!.id });
      }
      if (req.method === "GET" && url.pathname.startsWith("/v1/models/")) {
        return Response.json(modelInfo(decodeURIComponent(url.pathname.slice("/v1/models/".length))));
      }
      if (req.method === "POST" && url.pathname === "/v1/messages") {
        if (!json || !Array.isArray(json.messages)) return error(400, "invalid_request_error", "messages: Field required");
        const turn = script(json);
        const meta = {
          id: `msg_fake${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`,
          model: String(json.model ?? FAKE_MODELS[0]),
          inputTokens: estimateTokens(body),
        };
        if (!json.stream) return Response.json(messageJson(turn, meta), { headers: { "request-id": requestId() } });
        const events = messageEvents(turn, meta);
        const stream = new ReadableStream({
          start(controller) {
            const enc = new TextEncoder();
            for (const e of events) controller.enqueue(enc.encode(e));
            controller.close();
          },
        });
        return new Response(stream, {
          headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "request-id": requestId() },
        });
      }
      return error(404, "not_found_error", `no route ${req.method} ${url.pathname}`);
    },
  });

  return {
    ...listenAddress(server, opts.hostname),
    requests,
    messageRequests: () => requests.filter((r) => r.method === "POST" && r.path.split("?")[0] === "/v1/messages"),
  };
}

if (import.meta.main) {
  const fake = startFakeAnthropic({
    ...standaloneAddress(),
    apiKey: process.env.FAKE_ANTHROPIC_KEY,
    log: true,
  });
  console.error(`fake Anthropic API on ${fake.url}`);
}
