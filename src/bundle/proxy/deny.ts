// Pure: the responses the proxy itself sends. Bodies are plain text written
// for the agent (which reads them and can tell its operator) and for people:
// what was refused, why, and what to change.
import { serializeResponseHead } from "./http-head.ts";

export interface Refusal {
  status: number;
  /** One-line reason for the audit log. */
  reason: string;
  /** Full text body. */
  body: string;
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  413: "Content Too Large",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export function refusalResponse(r: Refusal, keepAlive = false): Buffer {
  const body = Buffer.from(r.body, "utf8");
  const head = serializeResponseHead(r.status, REASONS[r.status] ?? "Error", [
    ["Content-Type", "text/plain; charset=utf-8"],
    ["Content-Length", String(body.length)],
    ["Connection", keepAlive ? "keep-alive" : "close"],
    ["X-Bot-Bottle-Proxy", "refused"],
  ]);
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

export function notAllowed(host: string, port: number, why: string, suggestion: string): Refusal {
  return {
    status: 403,
    reason: why,
    body:
      `bot-bottle proxy: blocked ${host}:${port}\n` +
      `reason: ${why}\n` +
      `fix: if the agent should reach it, add "${suggestion}" to the bottle's allow list in bot-bottle.toml ` +
      `(allow = [..., "${suggestion}"] under [bottles.NAME]) and relaunch the bottle, ` +
      `or allow it now, live: \`bot-bottle allow <bottle id> ${suggestion}\` (on_deny = "ask" asks the operator instead).\n`,
  };
}

export function privateRefused(host: string, ip: string, why: string): Refusal {
  return {
    status: 403,
    reason: `${host} resolves to ${ip}, a ${why}`,
    body:
      `bot-bottle proxy: blocked ${host}\n` +
      `reason: it resolves to ${ip}, a ${why}; the bottle may not reach private networks (SSRF protection).\n` +
      `fix: this is not changed from the manifest; the operator can allow a specific private host only in the bundle configuration.\n`,
  };
}

export function dlpBlocked(host: string, what: string): Refusal {
  return {
    status: 403,
    reason: `DLP: ${what}`,
    body:
      `bot-bottle proxy: blocked a request to ${host}\n` +
      `reason: it contains ${what}.\n` +
      `fix: do not send secrets out of the bottle. Credentials for a service are injected by the bundle through an egress route ` +
      `([[bottles.NAME.egress]] in bot-bottle.toml); if this is a false positive the operator can set dlp = false for the bottle.\n`,
  };
}

export function unsupportedUpgrade(host: string, known: readonly string[]): Refusal {
  return {
    status: 403,
    reason: `unsupported Upgrade protocol (only ${known.join(", ")} passes the proxy)`,
    body:
      `bot-bottle proxy: blocked a request to ${host}\n` +
      `reason: it asks to upgrade the connection to a protocol the proxy cannot scan (only ${known.join(", ")} passes).\n` +
      `fix: send the request without Connection: Upgrade, or use a WebSocket.\n`,
  };
}

export function cleartextRoute(host: string, port: number): Refusal {
  return {
    status: 403,
    reason: `plain HTTP to ${host}:${port}, an egress route: its credential is injected only over TLS`,
    body:
      `bot-bottle proxy: blocked a plain-HTTP request to ${host}:${port}\n` +
      `reason: ${host} has an egress route, and its credential is never sent in cleartext.\n` +
      `fix: use https://${host}/… (the bundle injects the credential over TLS); if the real service only speaks plain HTTP, ` +
      `the operator can set upstream = "http://${host}" on the route in bot-bottle.toml.\n`,
  };
}

export function unscannable(host: string, why: string): Refusal {
  return {
    status: 403,
    reason: `DLP: ${why}`,
    body:
      `bot-bottle proxy: blocked a request to ${host}\n` +
      `reason: ${why}, so it cannot be checked for secrets (DLP fails closed).\n` +
      `fix: send the body uncompressed and smaller, or the operator can set dlp = false for the bottle.\n`,
  };
}

export function badRequest(why: string): Refusal {
  return { status: 400, reason: why, body: `bot-bottle proxy: bad request\nreason: ${why}\n` };
}

export function upstreamFailed(host: string, why: string, status = 502): Refusal {
  return { status, reason: why, body: `bot-bottle proxy: could not reach ${host}\nreason: ${why}\n` };
}
