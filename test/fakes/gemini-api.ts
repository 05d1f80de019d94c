// A scripted fake of the Gemini API (generativelanguage.googleapis.com) for
// end-to-end tests with real Gemini CLI. Same paths, auth header, SSE framing
// and error bodies as the real service; it records every request (headers
// included) so tests can prove the bundle injected the REAL key and the
// placeholder never left the bottle.
// Run standalone: `bun test/fakes/gemini-api.ts [port] [host]` (key in FAKE_GEMINI_KEY).
import { scriptedGeminiTurn, type ModelTurn } from "./gemini/script.ts";
import { generateContentJson, googleError, sseFrames, streamChunks } from "./gemini/responses.ts";
import { listenAddress, recordRequest, standaloneAddress, type RecordedRequest } from "./recorded.ts";

export type { RecordedRequest };

export interface FakeGeminiOptions {
  hostname?: string;
  port?: number;
  /** When set, a request without this key gets the real API's 403/400. */
  apiKey?: string;
  /** Replace the default script. */
  script?: (body: any) => ModelTurn;
  log?: boolean;
}

export interface FakeGemini {
  url: string;
  port: number;
  hostname: string;
  requests: RecordedRequest[];
  /** generateContent and streamGenerateContent requests. */
  generateRequests(): RecordedRequest[];
  close(): Promise<void>;
}

export const FAKE_GEMINI_MODELS = ["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-3-pro-preview", "gemini-3-flash-preview"];

/** `/v1beta/models/NAME:METHOD` → [NAME, METHOD]. */
export function modelMethod(pathname: string): [string, string] | null {
  const m = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):([A-Za-z]+)$/.exec(pathname);
  return m ? [decodeURIComponent(m[1]!), m[2]!] : null;
}

/** The key a request presents: the header the CLI uses, or the `key` query parameter. */
export function presentedGeminiKey(headers: Record<string, string>, url: URL): string | undefined {
  return headers["x-goog-api-key"] || url.searchParams.get("key") || undefined;
}

function modelInfo(name: string) {
  return {
    name: `models/${name}`,
    version: "001",
    displayName: name,
    inputTokenLimit: 1048576,
    outputTokenLimit: 65536,
    supportedGenerationMethods: ["generateContent", "countTokens", "streamGenerateContent"],
  };
}

const estimateTokens = (body: string) => Math.max(1, Math.ceil(body.length / 4));

export function startFakeGemini(opts: FakeGeminiOptions = {}): FakeGemini {
  const requests: RecordedRequest[] = [];
  const script = opts.script ?? scriptedGeminiTurn;

  const server = Bun.serve({
    hostname: opts.hostname ?? "127.0.0.1",
    port: opts.port ?? 0,
    idleTimeout: 60,
    async fetch(req) {
      const url = new URL(req.url);
      const recorded = await recordRequest(req, url);
      const { body, headers, json } = recorded;
      requests.push(recorded);
      if (opts.log) console.error(`[fake-gemini] ${req.method} ${url.pathname}${url.search} ${body.length}B`);

      if (!/^\/v1(beta|alpha)?\//.test(url.pathname)) return googleError(404, `The requested URL ${url.pathname} was not found on this server.`);
      if (opts.apiKey !== undefined) {
        const key = presentedGeminiKey(headers, url);
        if (!key) {
          return googleError(
            403,
            "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
            "SERVICE_DISABLED",
          );
        }
        if (key !== opts.apiKey) return googleError(400, "API key not valid. Please pass a valid API key.", "API_KEY_INVALID");
      }

      if (req.method === "GET" && /^\/v1(beta|alpha)?\/models$/.test(url.pathname)) {
        return Response.json({ models: FAKE_GEMINI_MODELS.map(modelInfo) });
      }
      const getModel = /^\/v1(?:beta|alpha)?\/models\/([^/:]+)$/.exec(url.pathname);
      if (req.method === "GET" && getModel) return Response.json(modelInfo(decodeURIComponent(getModel[1]!)));

      const mm = modelMethod(url.pathname);
      if (req.method !== "POST" || !mm) return googleError(404, `Method not found: ${req.method} ${url.pathname}`);
      const [model, method] = mm;
      if (body && json === undefined) return googleError(400, `Invalid JSON payload received. Unexpected token.`);
      if (method === "countTokens") return Response.json({ totalTokens: estimateTokens(body) });
      if (method !== "generateContent" && method !== "streamGenerateContent") return googleError(404, `Method not found: ${method}`);
      if (!Array.isArray(json?.contents) || json.contents.length === 0) {
        return googleError(400, "* GenerateContentRequest.contents: contents is not specified\n");
      }
      const turn = script(json);
      const meta = { model, promptTokens: estimateTokens(body), responseId: crypto.randomUUID().replaceAll("-", "").slice(0, 22) };
      if (method === "generateContent") return Response.json(generateContentJson(turn, meta));
      const frames = sseFrames(streamChunks(turn, meta));
      // Without alt=sse the real service streams one JSON array; the CLI always asks for SSE.
      if (url.searchParams.get("alt") !== "sse") return Response.json(streamChunks(turn, meta));
      const stream = new ReadableStream({
        start(controller) {
          const enc = new TextEncoder();
          for (const f of frames) controller.enqueue(enc.encode(f));
          controller.close();
        },
      });
      return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
    },
  });

  return {
    ...listenAddress(server, opts.hostname),
    requests,
    generateRequests: () => requests.filter((r) => r.method === "POST" && /:(stream)?[gG]enerateContent$/.test(r.path.split("?")[0]!)),
  };
}

if (import.meta.main) {
  const fake = startFakeGemini({
    ...standaloneAddress(),
    apiKey: process.env.FAKE_GEMINI_KEY,
    log: true,
  });
  console.error(`fake Gemini API on ${fake.url}`);
}
