// Pure: HTTP/1.1 message heads (request line or status line + headers).
// Strict on purpose: the proxy is a security boundary, so anything ambiguous
// (bare LF, obs-fold, both Content-Length and Transfer-Encoding, odd
// characters in names) is refused rather than guessed at — the classic
// request-smuggling gaps.

export type Header = [name: string, value: string];

export interface RequestHead {
  method: string;
  target: string;
  version: string;
  headers: Header[];
}

export interface ResponseHead {
  version: string;
  status: number;
  reason: string;
  headers: Header[];
}

export class HeadError extends Error {}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Visible ASCII, space, tab and obs-text; no CR/LF/NUL.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * `quote`: name the offending text in errors. Only for the agent's own requests: a response
 * head's text may hold a real credential the upstream echoed (cut at a length, past the scrubber).
 */
function parseHeaders(lines: string[], quote: boolean): Header[] {
  const out: Header[] = [];
  for (const line of lines) {
    if (line.startsWith(" ") || line.startsWith("\t")) throw new HeadError("obsolete header folding");
    const i = line.indexOf(":");
    if (i <= 0) throw new HeadError("malformed header line");
    const name = line.slice(0, i);
    if (!TOKEN.test(name)) throw new HeadError(quote ? `invalid header name ${JSON.stringify(name.slice(0, 40))}` : "invalid header name");
    const value = line.slice(i + 1).trim();
    if (!FIELD_VALUE.test(value)) throw new HeadError(`invalid characters in header ${name}`);
    out.push([name, value]);
  }
  return out;
}

function splitLines(head: string): string[] {
  const body = head.endsWith("\r\n\r\n") ? head.slice(0, -4) : head;
  const lines = body.split("\r\n");
  if (lines.some((l) => l.includes("\n") || l.includes("\r"))) throw new HeadError("bare CR or LF in head");
  return lines;
}

/** Parse a request head (latin1 text including the final CRLFCRLF). */
export function parseRequestHead(head: string): RequestHead {
  const [line = "", ...rest] = splitLines(head);
  const m = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) (HTTP\/1\.[01])$/.exec(line);
  if (!m) throw new HeadError(`malformed request line ${JSON.stringify(line.slice(0, 80))}`);
  return { method: m[1]!, target: m[2]!, version: m[3]!, headers: parseHeaders(rest, true) };
}

export function parseResponseHead(head: string): ResponseHead {
  const [line = "", ...rest] = splitLines(head);
  const m = /^(HTTP\/1\.[01]) (\d{3})(?: (.*))?$/.exec(line);
  if (!m) throw new HeadError("malformed status line");
  return { version: m[1]!, status: Number(m[2]), reason: m[3] ?? "", headers: parseHeaders(rest, false) };
}

export function getHeader(headers: Header[], name: string): string | undefined {
  const n = name.toLowerCase();
  const vals = headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
  return vals.length ? vals.join(", ") : undefined;
}

export function hasHeader(headers: Header[], name: string): boolean {
  const n = name.toLowerCase();
  return headers.some(([k]) => k.toLowerCase() === n);
}

export function withoutHeaders(headers: Header[], names: Iterable<string>): Header[] {
  const drop = new Set([...names].map((n) => n.toLowerCase()));
  return headers.filter(([k]) => !drop.has(k.toLowerCase()));
}

/** Comma-separated tokens of a header, lower-cased. */
export function headerTokens(headers: Header[], name: string): string[] {
  return (getHeader(headers, name) ?? "")
    .split(",")
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
}

export type BodyFraming = { kind: "none" } | { kind: "length"; length: number } | { kind: "chunked" } | { kind: "close" };

/** How a request body is delimited (RFC 9112 6.3); ambiguity is an error. */
export function requestFraming(headers: Header[]): BodyFraming {
  const te = headerTokens(headers, "transfer-encoding");
  const cls = headers.filter(([k]) => k.toLowerCase() === "content-length").map(([, v]) => v.trim());
  if (te.length && cls.length) throw new HeadError("both Transfer-Encoding and Content-Length");
  if (te.length) {
    if (te.length !== 1 || te[0] !== "chunked") throw new HeadError(`unsupported Transfer-Encoding ${te.join(", ")}`);
    return { kind: "chunked" };
  }
  if (cls.length) return { kind: "length", length: parseContentLength(cls) };
  return { kind: "none" };
}

/** How a response body is delimited, given the request method and status. */
export function responseFraming(method: string, status: number, headers: Header[]): BodyFraming {
  if (method === "HEAD" || status === 204 || status === 304 || (status >= 100 && status < 200)) return { kind: "none" };
  const te = headerTokens(headers, "transfer-encoding");
  if (te.length) return te[te.length - 1] === "chunked" ? { kind: "chunked" } : { kind: "close" };
  const cls = headers.filter(([k]) => k.toLowerCase() === "content-length").map(([, v]) => v.trim());
  if (cls.length) return { kind: "length", length: parseContentLength(cls) };
  return { kind: "close" };
}

function parseContentLength(values: string[]): number {
  const all = values.flatMap((v) => v.split(",").map((s) => s.trim()));
  if (!all.every((v) => /^\d{1,15}$/.test(v)) || new Set(all).size !== 1) throw new HeadError("invalid Content-Length");
  return Number(all[0]);
}

/** Chunk-size line → size; extensions are ignored, anything else refused. */
export function parseChunkSize(line: string): number {
  const m = /^([0-9a-fA-F]{1,12})(?:[ \t]*;.*)?$/.exec(line);
  if (!m) throw new HeadError("malformed chunk size");
  return parseInt(m[1]!, 16);
}

export function serializeRequestHead(method: string, target: string, headers: Header[]): string {
  return `${method} ${target} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;
}

export function serializeResponseHead(status: number, reason: string, headers: Header[]): string {
  return `HTTP/1.1 ${status} ${reason}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;
}

/** CONNECT authority-form target → host and port (port required). */
export function parseConnectTarget(target: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.\-_]+)):(\d{1,5})$/.exec(target);
  if (!m) throw new HeadError(`CONNECT target must be host:port, got ${JSON.stringify(target.slice(0, 80))}`);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new HeadError("CONNECT port out of range");
  return { host: (m[1] ?? m[2]!).toLowerCase(), port };
}

/** Host header → host and optional port. */
export function parseHostHeader(value: string): { host: string; port?: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.\-_]+))(?::(\d{1,5}))?$/.exec(value.trim());
  if (!m) return undefined;
  return { host: (m[1] ?? m[2]!).toLowerCase(), port: m[3] === undefined ? undefined : Number(m[3]) };
}

/** Hop-by-hop headers (RFC 9110 7.6.1) plus proxy-only ones; never forwarded as-is. */
export const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "proxy-authenticate",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];

/** Headers to drop: the hop-by-hop set plus any named in Connection. */
export function hopByHop(headers: Header[]): string[] {
  return [...HOP_BY_HOP, ...headerTokens(headers, "connection")];
}
