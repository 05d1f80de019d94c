// A scripted fake of the OpenAI Responses API for end-to-end tests with real
// Codex CLI. Both transports Codex uses: the Responses WebSocket (GET
// /v1/responses upgraded; one `response.create` JSON frame in, one JSON frame
// per event out) and HTTP SSE (POST /v1/responses). It records every request
// and WebSocket message with the headers they came with, so tests can prove
// the bundle injected the REAL credential and the placeholder never left the
// bottle. Run standalone: `bun test/fakes/openai-api.ts [port] [host]`.
import type { ServerWebSocket } from "bun";
import { errorBody, newResponseId, responseEvents, sseFrame, type ResponseTurn } from "./openai/responses.ts";
import { scriptedResponse, type ScriptOptions } from "./openai/script.ts";
import { listenAddress, recordRequest, standaloneAddress, type RecordedRequest as RecordedHttp } from "./recorded.ts";

export interface RecordedRequest extends RecordedHttp {
  /** "ws" for a message received on an upgraded WebSocket (headers are the upgrade's). */
  transport: "http" | "ws";
}

/** What the fake accepts as credentials; anything else gets the API's 401. */
export interface FakeOpenAIAuth {
  /** `Authorization: Bearer KEY` (API key, or a ChatGPT access token). */
  bearer: string;
  /** ChatGPT login also sends its account id; when set, it must match. */
  accountId?: string;
}

export interface FakeOpenAIOptions {
  hostname?: string;
  port?: number;
  auth?: FakeOpenAIAuth;
  /** Replace the default script. */
  script?: (body: any) => ResponseTurn;
  scriptOptions?: ScriptOptions;
  /** Refuse WebSocket upgrades (426), so the client must use SSE. */
  noWebSocket?: boolean;
  log?: boolean;
}

export interface FakeOpenAI {
  url: string;
  port: number;
  hostname: string;
  requests: RecordedRequest[];
  /** Model requests (POST /responses and WebSocket response.create), prewarms included. */
  responseRequests(): RecordedRequest[];
  /** Accept or refuse (426) WebSocket upgrades from now on. */
  setWebSocket(enabled: boolean): void;
  close(): Promise<void>;
}

export const FAKE_OPENAI_MODELS = ["gpt-5.1-codex", "gpt-5.1", "gpt-4.1"];

const requestId = () => `req_${crypto.randomUUID().replaceAll("-", "")}`;

function error(status: number, message: string, type: string, code: string | null = null): Response {
  return Response.json(errorBody(message, type, code), { status, headers: { "x-request-id": requestId() } });
}

/** "sk-proj-abc…wxyz" → "sk-proj-********wxyz", as the real 401 redacts a wrong key. */
function redact(key: string): string {
  return key.length <= 8 ? "********" : `${key.slice(0, 8)}${"*".repeat(8)}${key.slice(-4)}`;
}

/** null when the request carries the accepted credential, else the 401 the real API sends. */
export function checkAuth(headers: Record<string, string>, auth: FakeOpenAIAuth | undefined): Response | null {
  if (!auth) return null;
  const a = headers["authorization"] ?? "";
  const presented = a.startsWith("Bearer ") ? a.slice(7) : "";
  if (!presented) {
    return error(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", "invalid_request_error");
  }
  if (presented !== auth.bearer) {
    return error(401, `Incorrect API key provided: ${redact(presented)}. You can find your API key at https://platform.openai.com/account/api-keys.`, "invalid_request_error", "invalid_api_key");
  }
  if (auth.accountId !== undefined && headers["chatgpt-account-id"] !== auth.accountId) {
    return error(401, "account id mismatch", "invalid_request_error", "account_mismatch");
  }
  return null;
}

const estimateTokens = (body: string) => Math.max(1, Math.ceil(body.length / 4));

/** Paths Codex uses: /v1/responses (API key) and /backend-api/codex/responses (ChatGPT login). */
const isResponsesPath = (p: string) => /^(\/v1|\/backend-api\/codex)\/responses$/.test(p);

interface WsData {
  path: string;
  headers: Record<string, string>;
  /**
   * The connection's conversation state: response id → its input and output
   * items. A WebSocket `response.create` may name `previous_response_id` and
   * send only the new items (even with store: false), as Codex does.
   */
  history: Map<string, unknown[]>;
}

function previousNotFound(id: string) {
  return errorBody(`Previous response with id '${id}' not found.`, "invalid_request_error", "previous_response_not_found").error;
}

export function startFakeOpenAI(opts: FakeOpenAIOptions = {}): FakeOpenAI {
  const requests: RecordedRequest[] = [];
  let webSocket = !opts.noWebSocket;
  const script = opts.script ?? ((body: any) => scriptedResponse(body, opts.scriptOptions));
  const log = (line: string) => opts.log && console.error(`[fake-openai] ${line}`);

  /** The events of one response; `history` (per connection) gets its full conversation. */
  const eventsFor = (body: any, raw: string, history?: Map<string, unknown[]>) => {
    const id = newResponseId();
    const input: unknown[] = typeof body.input === "string" ? [{ type: "message", role: "user", content: body.input }] : Array.isArray(body.input) ? body.input : [];
    const full = [...(body.previous_response_id ? (history?.get(body.previous_response_id) ?? []) : []), ...input];
    const events = responseEvents(script({ ...body, input: full }), { id, model: String(body?.model ?? FAKE_OPENAI_MODELS[0]), inputTokens: estimateTokens(raw) });
    const completed = events.at(-1)!.response as { output: unknown[] };
    history?.set(id, [...full, ...completed.output]);
    return events;
  };

  const server = Bun.serve<WsData, never>({
    hostname: opts.hostname ?? "127.0.0.1",
    port: opts.port ?? 0,
    idleTimeout: 120,
    async fetch(req, srv) {
      const url = new URL(req.url);
      const recorded = await recordRequest(req, url);
      const { body, headers, json } = recorded;
      requests.push({ ...recorded, transport: "http" });
      log(`${req.method} ${url.pathname}${url.search} ${body.length}B${headers.upgrade ? ` upgrade=${headers.upgrade}` : ""}`);

      if (url.pathname === "/" || url.pathname === "/healthz") return new Response("ok");
      const denied = checkAuth(headers, opts.auth);
      if (denied) return denied;

      if (isResponsesPath(url.pathname) && req.method === "GET" && headers.upgrade?.toLowerCase() === "websocket") {
        if (!webSocket) return error(426, "WebSocket transport is not available", "invalid_request_error");
        if (srv.upgrade(req, { data: { path: url.pathname, headers, history: new Map() }, headers: { "x-request-id": requestId() } })) return undefined as unknown as Response;
        return error(400, "bad WebSocket upgrade", "invalid_request_error");
      }
      if (isResponsesPath(url.pathname) && req.method === "POST") {
        if (!json || (json.input === undefined && json.generate !== false)) return error(400, "Missing required parameter: 'input'.", "invalid_request_error", "missing_required_parameter");
        // Over HTTP nothing is kept between requests with store: false (and this fake stores nothing).
        if (json.previous_response_id) return Response.json({ error: previousNotFound(String(json.previous_response_id)) }, { status: 400 });
        const events = eventsFor(json, body);
        if (!json.stream) return Response.json(events.at(-1)!.response, { headers: { "x-request-id": requestId() } });
        const stream = new ReadableStream({
          start(controller) {
            const enc = new TextEncoder();
            for (const e of events) controller.enqueue(enc.encode(sseFrame(e)));
            controller.close();
          },
        });
        return new Response(stream, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-request-id": requestId() } });
      }
      if (req.method === "GET" && /^\/v1\/models\/?$/.test(url.pathname)) {
        return Response.json({ object: "list", data: FAKE_OPENAI_MODELS.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "openai" })) });
      }
      return error(404, `Invalid URL (${req.method} ${url.pathname})`, "invalid_request_error");
    },
    websocket: {
      // One response at a time per socket, as the real endpoint: each response.create streams to completion.
      message(ws: ServerWebSocket<WsData>, message) {
        const raw = typeof message === "string" ? message : new TextDecoder().decode(message);
        let json: any;
        try {
          json = JSON.parse(raw);
        } catch {
          json = undefined;
        }
        requests.push({ at: Date.now(), method: "WS", path: ws.data.path, headers: ws.data.headers, body: raw, json, transport: "ws" });
        log(`WS ${ws.data.path} ${json?.type ?? "?"} ${raw.length}B generate=${json?.generate ?? "-"}`);
        if (json?.type !== "response.create") {
          ws.send(JSON.stringify({ type: "error", status: 400, error: errorBody(`unsupported message type ${json?.type}`, "invalid_request_error").error }));
          return;
        }
        const prev = json.previous_response_id;
        if (prev && !ws.data.history.has(String(prev))) {
          ws.send(JSON.stringify({ type: "error", status: 400, error: previousNotFound(String(prev)) }));
          return;
        }
        for (const e of eventsFor(json, raw, ws.data.history)) ws.send(JSON.stringify(e));
      },
    },
  });

  return {
    ...listenAddress(server, opts.hostname),
    requests,
    responseRequests: () => requests.filter((r) => (r.transport === "ws" ? r.json?.type === "response.create" : r.method === "POST" && isResponsesPath(r.path.split("?")[0]!))),
    setWebSocket: (enabled) => void (webSocket = enabled),
  };
}

if (import.meta.main) {
  const key = process.env.FAKE_OPENAI_KEY;
  const fake = startFakeOpenAI({
    ...standaloneAddress(),
    auth: key ? { bearer: key, accountId: process.env.FAKE_OPENAI_ACCOUNT_ID } : undefined,
    log: true,
  });
  console.error(`fake OpenAI Responses API on ${fake.url}`);
}
