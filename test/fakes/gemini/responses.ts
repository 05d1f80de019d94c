// Wire shapes of the Gemini API (generativelanguage.googleapis.com v1beta):
// GenerateContentResponse objects, their SSE stream (`alt=sse`: one
// `data: {json}` event per chunk, CRLF-framed like the real service), and the
// google.rpc error body every non-2xx answer carries.
import type { ModelTurn, Part } from "./script.ts";

export interface TurnMeta {
  model: string;
  promptTokens: number;
  responseId: string;
}

function usage(meta: TurnMeta, parts: Part[]) {
  const out = Math.max(1, Math.ceil(JSON.stringify(parts).length / 4));
  return { promptTokenCount: meta.promptTokens, candidatesTokenCount: out, totalTokenCount: meta.promptTokens + out };
}

function response(meta: TurnMeta, parts: Part[], finishReason?: string, withUsage = false) {
  const candidate: Record<string, unknown> = { content: { parts, role: "model" }, index: 0 };
  if (finishReason) candidate.finishReason = finishReason;
  return {
    candidates: [candidate],
    ...(withUsage ? { usageMetadata: usage(meta, parts) } : {}),
    modelVersion: meta.model,
    responseId: meta.responseId,
  };
}

/** The unary `:generateContent` answer. */
export function generateContentJson(turn: ModelTurn, meta: TurnMeta) {
  return response(meta, turn.parts, turn.finishReason, true);
}

/**
 * The streamed answer as the service cuts it: text in a few pieces, each
 * functionCall whole in its own chunk, finishReason and usage on the last.
 */
export function streamChunks(turn: ModelTurn, meta: TurnMeta): object[] {
  const pieces: Part[][] = [];
  for (const p of turn.parts) {
    if ("text" in p && p.text.length > 8) {
      const mid = Math.ceil(p.text.length / 2);
      pieces.push([{ ...p, text: p.text.slice(0, mid) }], [{ ...p, text: p.text.slice(mid) }]);
    } else pieces.push([p]);
  }
  if (pieces.length === 0) pieces.push([{ text: "" }]);
  return pieces.map((parts, i) => (i === pieces.length - 1 ? response(meta, parts, turn.finishReason, true) : response(meta, parts)));
}

/** `data: {json}\r\n\r\n` per chunk, as `?alt=sse` frames it. */
export function sseFrames(chunks: object[]): string[] {
  return chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`);
}

/** Parse an SSE body back into its JSON chunks (tests; the SDK's own framing rules). */
export function parseSseChunks(body: string): any[] {
  return body
    .split(/\r\n\r\n|\n\n|\r\r/)
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => {
      if (!e.startsWith("data: ")) throw new Error(`not an SSE data event: ${e.slice(0, 40)}`);
      return JSON.parse(e.slice(6));
    });
}

const REASONS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
};

/** A google.rpc.Status error body, the shape every Google API answers errors with. */
export function googleError(code: number, message: string, reason?: string): Response {
  const error: Record<string, unknown> = { code, message, status: REASONS[code] ?? "UNKNOWN" };
  if (reason) {
    error.details = [
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason,
        domain: "googleapis.com",
        metadata: { service: "generativelanguage.googleapis.com" },
      },
    ];
  }
  return Response.json({ error }, { status: code, headers: { "content-type": "application/json; charset=UTF-8" } });
}
