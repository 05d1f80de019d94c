// The bundle's forward proxy: accepts raw TCP, reads the first request head
// itself, and either tunnels (CONNECT to a host we do not intercept),
// terminates TLS with a leaf from the bottle CA and serves HTTP/1.1 inside,
// or serves a plain absolute-form HTTP request. Raw TCP + node:tls TLSSocket
// sidesteps Bun's gaps in https/CONNECT/SNI handling (DESIGN.md "Proxy notes").
import { readFileSync } from "node:fs";
import { createServer, isIP, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { TLSSocket } from "node:tls";
import type { Daemon, ProxyConfig, ProxyRouteConfig } from "../config.ts";
import { BottleError } from "../../util/errors.ts";
import { checkHost, parseHostEntry, suggestedEntry } from "./allowlist.ts";
import { AuditLog, type AuditRecord } from "./audit.ts";
import { loadOrCreateCa } from "./ca.ts";
import { deniedByOperator } from "./operator-refusals.ts";
import { badRequest, notAllowed, privateRefused, refusalResponse, upstreamFailed, type Refusal } from "./deny.ts";
import { SECRET_PATTERNS } from "./dlp/patterns.ts";
import { makeScrubber, type Scrubber } from "./dlp/scrub.ts";
import { MIN_SECRET_LENGTH, type NamedValue } from "./dlp/scan.ts";
import { HeadError, parseConnectTarget, parseRequestHead } from "./http-head.ts";
import { HEAD_LIMIT, HEAD_TIMEOUT_MS, serveHttp, type ExchangeContext } from "./exchange.ts";
import { ScanBudget } from "./body-io.ts";
import { LeafCache } from "./leaf-cache.ts";
import { memoryPressure } from "./memory-pressure.ts";
import { HeadTimeout, SocketReader, writeAll } from "./reader.ts";
import { MAX_SCANNED_BODY } from "./request-policy.ts";
import { findRoute, routeCredentials } from "./routes.ts";
import { dial, RefusedAddress } from "./upstream.ts";
import { checkTunnelHello, joinSockets } from "./tunnel.ts";

/** Env var naming a PEM file of extra CAs trusted for upstream TLS (corporate gateways, tests). */
export const UPSTREAM_CA_ENV = "BOT_BOTTLE_UPSTREAM_CA_FILE";
const CLIENT_IDLE_MS = 5 * 60_000;
/**
 * Agent connections at once (the proxy serves one bottle, so this is the bottle's slot count);
 * past it new connections are refused at accept. With the scan budget this bounds the proxy's memory.
 */
export const MAX_CLIENT_CONNECTIONS = 512;
/** Request bytes held for DLP scanning across all connections (each body ≤ MAX_SCANNED_BODY); sized to the bundle's memory limit. */
const SCAN_BUDGET_BYTES = 128 * 1024 * 1024;
const HANDSHAKE_MS = 15_000;
/** Slots kept free for new connections by shedding the longest-waiting idle ones. */
const SLOT_RESERVE = 32;

interface ProxyState extends ExchangeContext {
  cfg: ProxyConfig;
  leaves: LeafCache;
  /** Open tunnels by client socket: a live deny closes those to a host it now refuses. */
  tunnels: Map<Socket, { host: string; port: number }>;
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:]+)):(\d{1,5})$/.exec(listen);
  if (!m) throw new BottleError("PROXY", `listen address ${JSON.stringify(listen)} is not host:port`, { hint: 'use e.g. "0.0.0.0:8888"' });
  return { host: m[1] ?? m[2]!, port: Number(m[3]) };
}

function operatorSecrets(cfg: ProxyConfig, env: Record<string, string | undefined>, creds: Map<unknown, string>): NamedValue[] {
  const out: NamedValue[] = [];
  for (const name of cfg.secretEnv) {
    const v = env[name];
    if (v && v.length >= MIN_SECRET_LENGTH) out.push({ name, value: v });
  }
  for (const r of cfg.routes) {
    const v = creds.get(r);
    if (v && r.credential && v.length >= MIN_SECRET_LENGTH) out.push({ name: r.credential.bundleEnv, value: v });
  }
  return out;
}

/**
 * The response scrubber of each route (undefined: other hosts). Every route's real credential is
 * swapped; when routes share a real value, the responding route's own placeholder wins.
 */
function routeScrubbers(routes: readonly ProxyRouteConfig[], credentials: Map<ProxyRouteConfig, string>): Map<ProxyRouteConfig | undefined, Scrubber> {
  const creds = routes.flatMap((r) => (r.credential && credentials.get(r) ? [{ route: r, name: r.credential.bundleEnv, real: credentials.get(r)!, placeholder: r.credential.placeholder }] : []));
  const out = new Map<ProxyRouteConfig | undefined, Scrubber>();
  for (const key of [undefined, ...routes]) {
    const s = makeScrubber([...creds.filter((c) => c.route === key), ...creds.filter((c) => c.route !== key)]);
    if (s) out.set(key, s);
  }
  return out;
}

/** The proxy daemon, whose allowlist the operator can change while it runs. */
export interface ProxyDaemon extends Daemon {
  /** Swap in a new allow / deny list (one assignment: a request sees the old lists or the new, never a mix). */
  setPolicy(p: { allow: readonly string[]; deny: readonly string[] }): void;
}

export async function startProxy(cfg: ProxyConfig, env: Record<string, string | undefined> = process.env): Promise<ProxyDaemon> {
  const listen = parseListen(cfg.listen);
  const credentials = routeCredentials(cfg.routes, env);
  const caFile = env[UPSTREAM_CA_ENV];
  let extraCaPem: string | undefined;
  if (caFile) {
    try {
      extraCaPem = readFileSync(caFile, "utf8");
    } catch (e) {
      throw new BottleError("PROXY", `cannot read ${UPSTREAM_CA_ENV}=${caFile}: ${(e as Error).message}`);
    }
  }
  const ca = await loadOrCreateCa(cfg.caDir);
  const audit = new AuditLog(cfg.auditLog);
  const pressure = memoryPressure();
  const state: ProxyState = {
    cfg,
    leaves: new LeafCache(ca.signer, ca.certPem),
    tunnels: new Map(),
    audit: (rec) => {
      audit.write(rec);
      // Once an exchange is done, what it moved is garbage: past the soft limit it is collected now.
      pressure.note((rec.bytesOut ?? 0) + (rec.bytesIn ?? 0));
    },
    scanBudget: new ScanBudget(SCAN_BUDGET_BYTES),
    dial: { blockPrivate: cfg.blockPrivate, allowPrivate: cfg.allowPrivate, extraCaPem },
    scrubbers: routeScrubbers(cfg.routes, credentials),
    policy: {
      allow: cfg.allow.map(parseHostEntry),
      deny: [],
      routes: cfg.routes,
      credentials,
      dlp: cfg.dlp,
      patterns: SECRET_PATTERNS,
      secrets: operatorSecrets(cfg, env, credentials),
      maxScannedBody: MAX_SCANNED_BODY,
    },
  };

  const closing = new AbortController();
  if (cfg.ask) {
    const { EgressAsker } = await import("../supervise/egress-ask.ts");
    const asker = new EgressAsker({
      dir: cfg.ask.dir,
      timeoutSeconds: cfg.ask.timeoutSeconds,
      unattended: cfg.ask.unattended,
      signal: closing.signal,
      record: (data) => audit.record("ask", data),
    });
    state.askTimeoutSeconds = cfg.ask.unattended ? 0 : cfg.ask.timeoutSeconds;
    state.askEgress = async (q) => {
      const out = await asker.ask(q);
      // The host wrote the live policy before its answer; apply it now rather than at the next poll.
      const entry = parseHostEntry(q.entry);
      if (out.decision === "allow" || out.decision === "allow-save") state.policy = { ...state.policy, allow: [...state.policy.allow, entry] };
      if (out.decision === "deny-always") state.policy = { ...state.policy, deny: [...(state.policy.deny ?? []), entry] };
      return out;
    };
  }

  const sockets = new Set<Socket>();
  // Insertion-ordered: the first entry is the connection that has waited longest for a head.
  const waiting = new Set<Duplex>();
  state.waiting = {
    enter: (s) => void waiting.add(s),
    leave: (s) => void waiting.delete(s),
  };
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    waiting.add(sock);
    sock.on("close", () => {
      sockets.delete(sock);
      waiting.delete(sock);
    });
    // Slots nearly gone: shed the connections that waited longest without a request (idle keep-alives,
    // trickled heads), never one in the middle of an exchange. A misbehaving client cannot lock others out.
    for (const old of waiting) {
      if (sockets.size <= MAX_CLIENT_CONNECTIONS - SLOT_RESERVE) break;
      if (old === sock) continue;
      waiting.delete(old);
      old.destroy();
    }
    handleClient(state, sock).catch(() => sock.destroy());
  });
  server.maxConnections = MAX_CLIENT_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e) =>
      reject(new BottleError("PROXY", `cannot listen on ${cfg.listen}: ${e.message}`, { hint: "is another proxy already running on that port?", cause: e })),
    );
    server.listen(listen.port, listen.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : listen.port;
  return {
    address: { host: listen.host, port },
    setPolicy(p) {
      state.policy = { ...state.policy, allow: p.allow.map(parseHostEntry), deny: p.deny.map(parseHostEntry) };
      // Intercepted tunnels re-check every request, but a blind tunnel or a stream in flight
      // would outlive the change: a host no longer allowed loses its open connections now.
      for (const [sock, t] of state.tunnels) {
        if (!checkHost(state.policy.allow, state.policy.deny ?? [], t.host, t.port, 443).allowed) {
          state.audit({ time: new Date().toISOString(), client: `${sock.remoteAddress}:${sock.remotePort}`, method: "CONNECT", host: t.host, port: t.port, decision: "deny", reason: "closed: the operator's live policy no longer allows this host" });
          sock.destroy();
          state.tunnels.delete(sock);
        }
      }
    },
    async close() {
      closing.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await audit.close();
    },
  };
}

async function handleClient(state: ProxyState, sock: Socket): Promise<void> {
  sock.setNoDelay(true);
  sock.setTimeout(CLIENT_IDLE_MS, () => sock.destroy());
  sock.on("error", () => {});
  const client = `${sock.remoteAddress}:${sock.remotePort}`;
  const reader = new SocketReader(sock);
  let raw: Buffer | null;
  let req;
  try {
    // The first head must arrive whole within HEAD_TIMEOUT_MS of accept: an idle or trickling socket frees its slot.
    raw = await reader.readHead(HEAD_LIMIT, { deadline: Date.now() + HEAD_TIMEOUT_MS });
    state.waiting?.leave(sock);
    if (!raw) return void sock.destroy();
    req = parseRequestHead(raw.toString("latin1"));
  } catch (e) {
    if (e instanceof HeadTimeout) {
      state.audit({ time: new Date().toISOString(), client, method: "?", host: "?", port: 0, decision: "error", reason: e.message });
      return void sock.destroy();
    }
    const why = e instanceof HeadError ? e.message : "connection failed";
    state.audit({ time: new Date().toISOString(), client, method: "?", host: "?", port: 0, decision: "error", reason: why, status: 400 });
    if (!sock.destroyed) sock.end(refusalResponse(badRequest(why)));
    return;
  }
  if (req.method !== "CONNECT") return serveHttp(state, { sock, reader, client }, raw);
  await handleConnect(state, sock, reader, req.target, client);
}

async function handleConnect(state: ProxyState, sock: Socket, reader: SocketReader, target: string, client: string): Promise<void> {
  const started = performance.now();
  let host: string;
  let port: number;
  try {
    ({ host, port } = parseConnectTarget(target));
  } catch (e) {
    state.audit({ time: new Date().toISOString(), client, method: "CONNECT", host: "?", port: 0, decision: "error", reason: (e as Error).message, status: 400 });
    return void sock.end(refusalResponse(badRequest((e as Error).message)));
  }
  const record = (rec: Partial<AuditRecord> & Pick<AuditRecord, "decision">) =>
    state.audit({ time: new Date().toISOString(), client, method: "CONNECT", host, port, ms: Math.round(performance.now() - started), ...rec });
  const refuse = (decision: AuditRecord["decision"], r: Refusal) => {
    record({ decision, reason: r.reason, status: r.status });
    sock.end(refusalResponse(r));
  };

  const allowed = checkHost(state.policy.allow, state.policy.deny ?? [], host, port, 443);
  // With ask-to-allow, a host outside the allowlist is intercepted so the operator sees the
  // request itself (method and path); nothing goes upstream unless they allow it.
  const asking = !allowed.allowed && !!allowed.askable && !!state.askEgress;
  if (!allowed.allowed && !asking) {
    return refuse("deny", allowed.denied ? deniedByOperator(host, port, allowed.reason) : notAllowed(host, port, allowed.reason, suggestedEntry(host, port, 443)));
  }
  const route = findRoute(state.cfg.routes, host);

  if (!state.cfg.dlp && !route && !asking) {
    // Blind tunnel: nothing to inspect, but still no private addresses and no SNI mismatch.
    let up: Socket;
    try {
      up = (await dial(host, port, false, state.dial)) as Socket;
    } catch (e) {
      if (e instanceof RefusedAddress) return refuse("deny", privateRefused(e.host, e.ip, e.why));
      return refuse("error", upstreamFailed(host, (e as Error).message));
    }
    await writeAll(sock, "HTTP/1.1 200 Connection established\r\n\r\n");
    const outcome = await checkTunnelHello(reader, host, port);
    if (!outcome.ok) {
      record({ decision: outcome.decision, reason: outcome.reason });
      sock.destroy();
      up.destroy();
      return;
    }
    record({ decision: "allow", reason: "tunnel (not intercepted)", status: 200 });
    state.tunnels.set(sock, { host, port });
    sock.once("close", () => state.tunnels.delete(sock));
    joinSockets(sock, reader, up, outcome.first);
    return;
  }

  let secureContext;
  try {
    secureContext = await state.leaves.context(host);
  } catch (e) {
    return refuse("error", upstreamFailed(host, `cannot mint a certificate: ${(e as Error).message}`));
  }
  await writeAll(sock, "HTTP/1.1 200 Connection established\r\n\r\n");
  const early = reader.detach();
  if (early.length) sock.unshift(early);
  // HTTP/1.x only (never h2: we speak HTTP/1.1 inside); http/1.0 for old clients that offer nothing else.
  // Bun terminates this TLS natively (the socket's own handle is upgraded, early bytes handed over)
  // only while the socket has no unflushed write: the 200 above is awaited for that. With a write
  // pending it falls back to a JS duplex, several times slower.
  const tls = new TLSSocket(sock, { isServer: true, secureContext, ALPNProtocols: ["http/1.1", "http/1.0"] });
  tls.on("error", () => {});
  const ok = await new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => resolve("TLS handshake timed out"), HANDSHAKE_MS);
    tls.once("secure", () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    tls.once("error", (e: Error) => {
      clearTimeout(timer);
      resolve(`TLS handshake failed: ${e.message}`);
    });
    tls.once("close", () => {
      clearTimeout(timer);
      resolve("client closed during the TLS handshake");
    });
  });
  if (ok) {
    record({ decision: "error", reason: ok, intercepted: true });
    tls.destroy();
    sock.destroy();
    return;
  }
  // SNI must name the CONNECT host: otherwise the client is talking to someone else than we checked.
  const sni = ((tls as unknown as { servername?: string | false }).servername || "").toLowerCase();
  if (sni ? sni !== host : !isIP(host)) {
    record({ decision: "block", reason: `TLS SNI ${JSON.stringify(sni)} does not match the CONNECT host`, intercepted: true });
    tls.destroy();
    sock.destroy();
    return;
  }
  tls.setTimeout(CLIENT_IDLE_MS, () => tls.destroy());
  // A tunnel held for a question is not the operator's to cut yet: its requests are checked one by one.
  if (!asking) {
    state.tunnels.set(sock, { host, port });
    sock.once("close", () => state.tunnels.delete(sock));
  }
  await serveHttp(state, { sock: tls, reader: new SocketReader(tls), client, origin: { host, port } });
}
