// Pure: the decision for one HTTP request the agent sends (inside an
// intercepted tunnel or as a plain absolute-form proxy request): where it
// goes, whether it may, and the exact head to send upstream. All I/O lives in
// exchange.ts; everything that can refuse a request by its head is here.
import type { ProxyRouteConfig } from "../config.ts";
import { checkHost, normalizeHost, suggestedEntry, type HostEntry } from "./allowlist.ts";
import { deniedByOperator } from "./operator-refusals.ts";
import { badRequest, cleartextRoute, dlpBlocked, notAllowed, unscannable, unsupportedUpgrade, type Refusal } from "./deny.ts";
import type { SecretPattern } from "./dlp/patterns.ts";
import { scanParts, TooLargeToScan, type NamedValue, type ScanPart, type ScanPolicy } from "./dlp/scan.ts";
import {
  getHeader,
  HeadError,
  headerTokens,
  hopByHop,
  parseHostHeader,
  requestFraming,
  withoutHeaders,
  type BodyFraming,
  type Header,
  type RequestHead,
} from "./http-head.ts";
import { auditPath, findRoute, foreignPlaceholders, injectCredential, injectQuery, upstreamTarget, type UpstreamTarget } from "./routes.ts";

/** Largest request body DLP scans; a larger one is refused (fail closed), not forwarded unscanned. */
export const MAX_SCANNED_BODY = 8 * 1024 * 1024;
/** Upgrade protocols the proxy relays (and scans: WebSocket frames, see websocket.ts). */
export const KNOWN_UPGRADES = ["websocket"];
/** Request Content-Encodings DLP decodes (bounded) before scanning. */
export const SCANNABLE_ENCODINGS = ["gzip", "x-gzip", "deflate", "br", "zstd"];

export interface RequestPolicy {
  allow: readonly HostEntry[];
  /** The operator's live deny list: refused whatever `allow` says, never asked about. */
  deny?: readonly HostEntry[];
  routes: readonly ProxyRouteConfig[];
  /** Real credential per route (from the bundle env). */
  credentials: ReadonlyMap<ProxyRouteConfig, string>;
  dlp: boolean;
  patterns: readonly SecretPattern[];
  /** Operator secrets (secretEnv values and every route's real credential). */
  secrets: readonly NamedValue[];
  maxScannedBody: number;
}

/** The tunnel a request arrived in (intercepted TLS), if any. */
export interface Origin {
  host: string;
  port: number;
}

export interface ForwardPlan {
  kind: "forward";
  host: string;
  port: number;
  route?: ProxyRouteConfig;
  target: UpstreamTarget;
  method: string;
  /** Request target to send upstream (origin-form, with the upstream's base path). */
  path: string;
  /** Path for the audit log (query values redacted). */
  auditPath: string;
  /** Outgoing headers without framing headers (the sender adds Content-Length / Transfer-Encoding). */
  headers: Header[];
  framing: BodyFraming;
  /** Buffer the body and scan it before forwarding. */
  scanBody: boolean;
  bodyPolicy: ScanPolicy;
  /** Content-Encoding of the request body (decoded for scanning, bounded). */
  bodyEncodings: string[];
  /**
   * What a DLP finding in the body does: "redact" (credential routes by default: replaced by a
   * marker and sent, so a session survives a secret in its own history) or "block" (403).
   */
  dlpMode: "redact" | "block";
  /** Client asked for 100-continue: the proxy answers it itself. */
  expectContinue: boolean;
  /** WebSocket (or other) upgrade requested. */
  upgrade?: string;
  /** Client wants the connection closed after this exchange. */
  clientClose: boolean;
  /** HTTP/1.0 client: cannot read chunked responses. */
  http10: boolean;
}

export interface RefusePlan {
  kind: "refuse";
  host: string;
  port: number;
  auditPath?: string;
  route?: ProxyRouteConfig;
  decision: "deny" | "block" | "error";
  refusal: Refusal;
  /** Refused only for want of an allow entry: with ask-to-allow on, the operator may be asked to add this one. */
  askable?: { entry: string };
}

export type RequestPlan = ForwardPlan | RefusePlan;

interface Where {
  host: string;
  port: number;
  tls: boolean;
  path: string;
}

function locate(req: RequestHead, origin: Origin | undefined): Where | Refusal {
  if (origin) {
    let path = req.target;
    if (/^https?:\/\//i.test(path)) {
      const u = safeUrl(path);
      if (!u || normalizeHost(u.hostname) !== origin.host) return badRequest("absolute URL inside the tunnel names another host");
      path = u.pathname + u.search;
    } else if (!path.startsWith("/") && !(path === "*" && req.method === "OPTIONS")) {
      return badRequest(`unsupported request target ${JSON.stringify(path.slice(0, 80))}`);
    }
    // The Host header must name the tunnel's host: no domain fronting to another allowed or routed host.
    const hostHeader = getHeader(req.headers, "host");
    if (hostHeader !== undefined) {
      const h = parseHostHeader(hostHeader);
      if (!h || h.host !== origin.host || (h.port !== undefined && h.port !== origin.port)) {
        return badRequest(`Host header ${JSON.stringify(hostHeader.slice(0, 80))} does not match the CONNECT host ${origin.host}`);
      }
    }
    return { host: origin.host, port: origin.port, tls: true, path };
  }
  if (/^https:\/\//i.test(req.target)) return badRequest("https:// URLs go through CONNECT, not as plain proxy requests");
  if (!/^http:\/\//i.test(req.target)) {
    return badRequest("this is a forward proxy: send absolute-form requests (http://host/path) or CONNECT host:443");
  }
  const u = safeUrl(req.target);
  if (!u || !u.hostname) return badRequest("malformed URL");
  if (u.username || u.password) return badRequest("credentials in the URL are not forwarded");
  return { host: normalizeHost(u.hostname), port: u.port ? Number(u.port) : 80, tls: false, path: (u.pathname || "/") + u.search };
}

function safeUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

export function planRequest(policy: RequestPolicy, req: RequestHead, origin?: Origin): RequestPlan {
  const where = locate(req, origin);
  if ("status" in where) return { kind: "refuse", host: origin?.host ?? "?", port: origin?.port ?? 0, decision: "error", refusal: where };
  const { host, port } = where;
  const aPath = auditPath(where.path);
  const refuse = (decision: RefusePlan["decision"], refusal: Refusal, route?: ProxyRouteConfig): RefusePlan => ({
    kind: "refuse",
    host,
    port,
    // A DLP block may have found the secret in the path itself: keep it out of the audit log.
    auditPath: decision === "block" ? undefined : aPath,
    route,
    decision,
    refusal,
  });

  // Every request, tunnelled ones too: the policy is live, and a host the
  // operator denies now must not keep working on a tunnel opened before.
  const defaultPort = origin ? 443 : 80;
  const d = checkHost(policy.allow, policy.deny ?? [], host, port, defaultPort);
  if (!d.allowed) {
    if (d.denied) return refuse("deny", deniedByOperator(host, port, d.reason));
    const entry = suggestedEntry(host, port, defaultPort);
    return { ...refuse("deny", notAllowed(host, port, d.reason, entry)), askable: { entry } };
  }

  const route = findRoute(policy.routes, host);
  const cred = route?.credential;
  let framing: BodyFraming;
  try {
    framing = requestFraming(req.headers);
  } catch (e) {
    return refuse("error", badRequest((e as HeadError).message), route);
  }

  // No credential in cleartext: a route injects only over TLS, or to an upstream the operator named http:// on purpose.
  if (cred && !where.tls && !route?.upstream?.toLowerCase().startsWith("http://")) {
    return refuse("block", cleartextRoute(host, port), route);
  }

  const drop = new Set(hopByHop(req.headers));
  const forwarded = req.headers.filter(([k]) => !drop.has(k.toLowerCase()));
  const bodyPolicy: ScanPolicy = {
    patterns: policy.dlp ? policy.patterns : [],
    secrets: policy.dlp ? policy.secrets : [],
    foreignPlaceholders: foreignPlaceholders(policy.routes, route),
    ownPlaceholders: cred ? [cred.placeholder] : [],
  };
  // Every header the agent sent is scanned, hop-by-hop ones too (Upgrade, Connection, TE…: some are
  // re-sent or re-derived upstream). The route's credential header is replaced whatever it holds.
  const isCredHeader = (k: string) => !!cred && k.toLowerCase() === cred.header.toLowerCase();
  const scanned = req.headers.filter(([k]) => !isCredHeader(k));
  const parts: ScanPart[] = [
    { where: "the request method", text: req.method },
    { where: "the URL", text: where.path },
    // Names too (a name can carry a secret as well as a value), scanned first and
    // reported without the name so a block message never echoes what it found.
    ...scanned.map(([k]): ScanPart => ({ where: "a header name", text: k })),
    ...scanned.map(([k, v]): ScanPart => ({ where: `header ${k}`, text: v })),
  ];
  // The replaced credential header is still checked for other routes' placeholders:
  // one headed for a host outside its route is a leak attempt, even if it would be dropped here.
  const credHeaders: ScanPart[] = req.headers.filter(([k]) => isCredHeader(k)).map(([k, v]) => ({ where: `header ${k}`, text: v }));
  let finding;
  try {
    finding =
      scanParts(parts, bodyPolicy) ??
      scanParts(credHeaders, { patterns: [], secrets: [], foreignPlaceholders: bodyPolicy.foreignPlaceholders, ownPlaceholders: [] });
  } catch (e) {
    if (e instanceof TooLargeToScan) return refuse("block", unscannable(host, `the request head holds ${e.message}`), route);
    throw e;
  }
  if (finding) return refuse("block", dlpBlocked(host, finding.message), route);

  const scanBody =
    framing.kind !== "none" && (bodyPolicy.patterns.length > 0 || bodyPolicy.secrets.length > 0 || bodyPolicy.foreignPlaceholders.length > 0);
  const encodings = headerTokens(req.headers, "content-encoding").filter((t) => t !== "identity");
  if (scanBody) {
    const unknown = encodings.filter((t) => !SCANNABLE_ENCODINGS.includes(t));
    if (unknown.length) return refuse("block", unscannable(host, `the request body has a Content-Encoding the proxy cannot decode (${unknown.join(", ")})`), route);
    if (framing.kind === "length" && framing.length > policy.maxScannedBody) {
      return refuse("block", unscannable(host, `the request body (${framing.length} bytes) is larger than the ${policy.maxScannedBody}-byte scan limit`), route);
    }
  }

  const target = upstreamTarget(route, host, port, where.tls);
  // Only known upgrade protocols pass, re-sent as the proxy's own token (never the agent's raw text).
  const upgradeTokens = headerTokens(req.headers, "upgrade");
  const wantsUpgrade = headerTokens(req.headers, "connection").includes("upgrade") && upgradeTokens.length > 0;
  if (wantsUpgrade && !upgradeTokens.every((t) => KNOWN_UPGRADES.includes(t))) {
    return refuse("block", unsupportedUpgrade(host, KNOWN_UPGRADES), route);
  }
  const upgrade = wantsUpgrade ? "websocket" : undefined;
  let headers: Header[] = [["Host", target.hostHeader], ...withoutHeaders(forwarded, ["host", "content-length", "expect"])];
  // WebSocket compression is not negotiated: compressed frames could not be scanned.
  if (upgrade) headers = withoutHeaders(headers, ["sec-websocket-extensions"]);
  // A route's upstream receives the real credential and so is the one place it can be reflected:
  // ask it for identity bodies so the response scrubber sees the bytes (a compressed reply is still decoded).
  if (cred) headers = [...withoutHeaders(headers, ["accept-encoding"]), ["Accept-Encoding", "identity"]];
  if (route?.upstream) headers.push(["X-Forwarded-Host", port === (where.tls ? 443 : 80) ? host : `${host}:${port}`]);
  headers = injectCredential(headers, route, route ? policy.credentials.get(route) : undefined);
  headers.push(...(upgrade ? ([["Connection", "Upgrade"], ["Upgrade", upgrade]] as Header[]) : ([["Connection", "keep-alive"]] as Header[])));

  const connTokens = headerTokens(req.headers, "connection");
  return {
    kind: "forward",
    host,
    port,
    route,
    target,
    method: req.method,
    path: target.basePath + injectQuery(where.path, route, route ? policy.credentials.get(route) : undefined),
    auditPath: aPath,
    headers,
    framing,
    scanBody,
    bodyPolicy,
    bodyEncodings: encodings,
    dlpMode: cred ? (route?.dlp ?? "redact") : "block",
    expectContinue: headerTokens(req.headers, "expect").includes("100-continue"),
    upgrade,
    clientClose: connTokens.includes("close") || (req.version === "HTTP/1.0" && !connTokens.includes("keep-alive")),
    http10: req.version === "HTTP/1.0",
  };
}
