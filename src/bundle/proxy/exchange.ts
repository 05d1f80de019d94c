// One HTTP exchange through the proxy: read the agent's request, apply the
// plan from request-policy.ts, forward it on a kept-alive upstream connection,
// and stream the response back without buffering it (SSE, long downloads).
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { AuditRecord } from "./audit.ts";
import type { ProxyRouteConfig } from "../config.ts";
import { badRequest, privateRefused, refusalResponse, unscannable, upstreamFailed, type Refusal } from "./deny.ts";
import { scrubText, StreamScrub, type Scrubber } from "./dlp/scrub.ts";
import { checkBody } from "./body-check.ts";
import { scrubNote, scrubRefusal, sendDecodedResponse } from "./response-scrub.ts";
import { relayWebSocket, upgradeResponseHeaders } from "./websocket.ts";
import {
  HeadError,
  hopByHop,
  parseRequestHead,
  parseResponseHead,
  responseFraming,
  serializeRequestHead,
  serializeResponseHead,
  headerTokens,
  withoutHeaders,
  type BodyFraming,
  type Header,
  type ResponseHead,
} from "./http-head.ts";
import type { ForwardPlan, Origin, RequestPolicy } from "./request-policy.ts";
import { planWithAsk, type AskContext } from "./ask-hold.ts";
import { ClosedError, HeadTimeout, SocketReader, writeAll } from "./reader.ts";
import { dial, RefusedAddress, type DialPolicy } from "./upstream.ts";
import { PIECE, readBodyPieces, ScanBudget, streamRequestBody, streamResponseBody } from "./body-io.ts";

export const HEAD_LIMIT = 64 * 1024;
/** A request head must complete within this long of its first byte (and a new connection's first head of its accept). */
export const HEAD_TIMEOUT_MS = 15_000;
const UPSTREAM_IDLE_MS = 10 * 60_000;

export interface ExchangeContext extends AskContext {
  policy: RequestPolicy;
  scanBudget: ScanBudget;
  dial: DialPolicy;
  /**
   * Connections waiting for a request head (idle keep-alive, or a head still arriving): the
   * proxy sheds the oldest of them when its connection slots run out.
   */
  waiting?: { enter(sock: Duplex): void; leave(sock: Duplex): void };
  /** Per route (undefined key: other hosts): swaps real route credentials in responses for placeholders. */
  scrubbers?: ReadonlyMap<ProxyRouteConfig | undefined, Scrubber>;
  audit(rec: AuditRecord): void;
}

/** The agent's side of one connection (plain TCP, or TLS we terminated). */
export interface ClientConn {
  sock: Duplex;
  reader: SocketReader;
  client: string;
  origin?: Origin;
}

export interface UpstreamConn {
  key: string;
  sock: Socket;
  reader: SocketReader;
}

/** Kept-alive upstream connection of one client connection (same host on reuse). */
export class UpstreamSlot {
  conn: UpstreamConn | undefined;
  close() {
    this.conn?.sock.destroy();
    this.conn = undefined;
  }
}

export type Outcome = "keep-alive" | "close" | "upgraded";

/** Serve requests on a client connection until it closes, an error, or an upgrade. */
export async function serveHttp(ctx: ExchangeContext, conn: ClientConn, firstHead?: Buffer): Promise<void> {
  const slot = new UpstreamSlot();
  let upgraded = false;
  try {
    let head: Buffer | null | undefined = firstHead;
    // Bounded: a client that keeps a connection forever still gets a fresh one now and then.
    for (let n = 0; n < 100_000; n++) {
      if (!head) {
        ctx.waiting?.enter(conn.sock);
        try {
          head = await conn.reader.readHead(HEAD_LIMIT, { completeMs: HEAD_TIMEOUT_MS });
        } finally {
          ctx.waiting?.leave(conn.sock);
        }
      }
      if (!head) break;
      const outcome = await exchange(ctx, conn, head, slot);
      head = undefined;
      if (outcome === "upgraded") upgraded = true;
      if (outcome !== "keep-alive") break;
    }
  } catch (e) {
    if (e instanceof HeadError && !conn.sock.destroyed) {
      conn.sock.write(refusalResponse(badRequest(e.message)));
    } else if (e instanceof HeadTimeout) {
      ctx.audit({ time: new Date().toISOString(), client: conn.client, method: "?", host: conn.origin?.host ?? "?", port: conn.origin?.port ?? 0, decision: "error", reason: e.message });
      conn.sock.destroy();
    }
  } finally {
    if (!upgraded) {
      slot.close();
      conn.sock.end();
      // end() flushes; destroy after a grace period so half-open peers do not linger.
      setTimeout(() => conn.sock.destroy(), 2000).unref?.();
    }
  }
}

async function exchange(ctx: ExchangeContext, conn: ClientConn, raw: Buffer, slot: UpstreamSlot): Promise<Outcome> {
  const started = performance.now();
  const base = { time: new Date().toISOString(), client: conn.client };
  let req;
  try {
    req = parseRequestHead(raw.toString("latin1"));
  } catch (e) {
    const r = badRequest((e as Error).message);
    ctx.audit({ ...base, method: "?", host: conn.origin?.host ?? "?", port: conn.origin?.port ?? 0, decision: "error", reason: r.reason, status: 400 });
    await writeAll(conn.sock, refusalResponse(r));
    return "close";
  }
  if (req.method === "CONNECT") {
    const r = badRequest(conn.origin ? "CONNECT inside a tunnel" : "CONNECT must be the first request on a connection");
    ctx.audit({ ...base, method: req.method, host: conn.origin?.host ?? "?", port: conn.origin?.port ?? 0, decision: "error", reason: r.reason, status: 400 });
    await writeAll(conn.sock, refusalResponse(r));
    return "close";
  }
  const plan = await planWithAsk(ctx, req, conn.origin);
  let redactedNote: string[] | undefined;
  const record = (extra: Partial<AuditRecord> & Pick<AuditRecord, "decision">) =>
    ctx.audit({
      redacted: redactedNote,
      ...base,
      method: req.method,
      host: plan.host,
      port: plan.port,
      path: plan.auditPath,
      route: plan.route?.host,
      intercepted: conn.origin ? true : undefined,
      ms: Math.round(performance.now() - started),
      ...extra,
    });
  const refuse = async (decision: AuditRecord["decision"], refusal: Refusal): Promise<Outcome> => {
    // A refusal can quote what the upstream sent (a status line it could not parse): scrub it like a response.
    const r = scrubRefusal(ctx.scrubbers?.get(plan.route), refusal);
    record({ decision, reason: r.reason, status: r.status });
    await writeAll(conn.sock, refusalResponse(r));
    return "close";
  };
  if (plan.kind === "refuse") return refuse(plan.decision, plan.refusal);

  if (plan.expectContinue && plan.framing.kind !== "none") await writeAll(conn.sock, "HTTP/1.1 100 Continue\r\n\r\n");

  /** The scanned body to forward, in the pieces it arrived in (undefined: streamed unscanned, DLP off). */
  let body: readonly Buffer[] | undefined;
  let bodyLength = 0;
  let redacted: string[] | undefined;
  let headersOut = plan.headers;
  if (plan.scanBody) {
    // Reserved as the bytes arrive: a client that only promises a large Content-Length and stalls
    // holds nothing, so it cannot lock every other request out of the budget.
    let held = 0;
    const hold = (n: number) => ctx.scanBudget.tryReserve(n) && ((held += n), true);
    try {
      const got = await readBodyPieces(conn.reader, plan.framing, ctx.policy.maxScannedBody, hold);
      if (got === "busy") {
        return refuse("error", upstreamFailed(plan.host, "the proxy is already holding its limit of request bodies for scanning; retry shortly", 503));
      }
      if (got === "too-large") return refuse("block", unscannable(plan.host, `the request body is larger than the ${ctx.policy.maxScannedBody}-byte scan limit`));
      const checked = checkBody(got, plan);
      if ("refusal" in checked) return refuse("block", checked.refusal);
      body = checked.body;
      bodyLength = body.reduce((n, b) => n + b.length, 0);
      if (checked.findings.length) {
        redacted = [...new Set(checked.findings.map((f) => f.marker))];
        // A redacted body is sent decoded: its Content-Encoding no longer applies.
        if (checked.decoded) headersOut = withoutHeaders(headersOut, ["content-encoding"]);
      }
    } finally {
      // Released once scanned: forwarding holds the buffer briefly, bounded by the connection count.
      ctx.scanBudget.release(held);
    }
  }

  redactedNote = redacted;
  let up: UpstreamConn;
  let reused: boolean;
  try {
    ({ up, reused } = await upstreamFor(ctx, plan, slot));
  } catch (e) {
    if (e instanceof RefusedAddress) return refuse("deny", privateRefused(e.host, e.ip, e.why));
    return refuse("error", upstreamFailed(plan.target.host, (e as Error).message));
  }

  const framingHeaders: Header[] =
    body !== undefined
      ? [["Content-Length", String(bodyLength)]]
      : plan.framing.kind === "length"
        ? [["Content-Length", String(plan.framing.length)]]
        : plan.framing.kind === "chunked"
          ? [["Transfer-Encoding", "chunked"]]
          : [];
  const headBytes = Buffer.from(serializeRequestHead(plan.method, plan.path, [...headersOut, ...framingHeaders]), "latin1");

  let bytesOut = 0;
  let resHead: ResponseHead | undefined;
  // A reused connection may have been closed by the server meanwhile: retry once on a new one if nothing streamed yet.
  for (let attempt = 0; attempt < 2 && !resHead; attempt++) {
    try {
      await writeAll(up.sock, headBytes);
      if (body !== undefined) {
        // Slices, not one big write: Bun's socket re-copies a large pending buffer on every partial write.
        for (const b of body) for (let o = 0; o < b.length; o += PIECE) await writeAll(up.sock, b.subarray(o, o + PIECE));
        bytesOut = bodyLength;
      } else {
        bytesOut = await streamRequestBody(conn.reader, up.sock, plan.framing);
      }
      resHead = await readResponseHead(up.reader, plan);
    } catch (e) {
      slot.close();
      const replayable = reused && attempt === 0 && (body !== undefined || plan.framing.kind === "none");
      if (replayable && (e instanceof ClosedError || (e as NodeJS.ErrnoException).code === "ECONNRESET")) {
        try {
          ({ up, reused } = await upstreamFor(ctx, plan, slot));
          continue;
        } catch (e2) {
          return refuse("error", upstreamFailed(plan.target.host, (e2 as Error).message));
        }
      }
      if (e instanceof HeadError) return refuse("error", upstreamFailed(plan.target.host, `bad response: ${e.message}`));
      return refuse("error", upstreamFailed(plan.target.host, (e as Error).message || "connection failed"));
    }
  }
  if (!resHead) return refuse("error", upstreamFailed(plan.target.host, "no response"));

  if (resHead.status === 101 && plan.upgrade) {
    record({ decision: "allow", status: 101, bytesOut, reason: `upgrade: ${plan.upgrade}` });
    slot.conn = undefined;
    const outcome = await relayWebSocket(
      { client: conn.sock, clientReader: conn.reader, up: up.sock, upReader: up.reader },
      serializeResponseHead(101, "Switching Protocols", upgradeResponseHeaders(resHead, ctx.scrubbers?.get(plan.route))),
      { policy: plan.bodyPolicy, scrubber: ctx.scrubbers?.get(plan.route), maxMessage: ctx.policy.maxScannedBody },
    );
    if (outcome.blocked || outcome.scrubbed.length) {
      record({
        decision: outcome.blocked ? "block" : "allow",
        status: 101,
        reason: outcome.blocked ? `DLP: ${outcome.blocked}` : "websocket: real credential scrubbed from frames",
        scrubbed: outcome.scrubbed.length ? outcome.scrubbed : undefined,
      });
    }
    return "upgraded";
  }

  let framing: BodyFraming;
  try {
    framing = responseFraming(plan.method, resHead.status, resHead.headers);
  } catch (e) {
    slot.close();
    return refuse("error", upstreamFailed(plan.target.host, `bad response: ${(e as Error).message}`));
  }
  const upstreamKeeps =
    framing.kind !== "close" && resHead.version === "HTTP/1.1" && !headerTokens(resHead.headers, "connection").includes("close");
  let outHeaders = withoutHeaders(resHead.headers, hopByHop(resHead.headers));

  // Real credentials coming back are swapped for placeholders: headers here, the body as it streams.
  const scrubber = ctx.scrubbers?.get(plan.route);
  const found = new Set<string>();
  // The reason phrase is upstream text the agent reads too.
  const reason = scrubber ? scrubText(scrubber, resHead.reason, found) : resHead.reason;
  // Names too: an upstream can echo a request value as a header name (a token, like most keys).
  if (scrubber) outHeaders = outHeaders.map(([k, v]) => [scrubText(scrubber, k, found), scrubText(scrubber, v, found)]);
  const encodings = headerTokens(resHead.headers, "content-encoding").filter((t) => t !== "identity");
  // A route's upstream was asked for identity; a compressed reply from it is decoded (bounded) and scrubbed whole.
  if (scrubber && plan.route?.credential && encodings.length && framing.kind !== "none") {
    return sendDecodedResponse(ctx, scrubber, conn, up, slot, plan, resHead.status, reason, outHeaders, framing, encodings, found, upstreamKeeps, record, refuse, bytesOut);
  }
  const stream = scrubber && framing.kind !== "none" ? new StreamScrub(scrubber) : undefined;
  // A swap that changes a length would break Content-Length: such bodies are re-framed.
  const reframe = !!stream && !scrubber!.sameLength && framing.kind === "length";

  // Bodies without a length are re-framed as chunked for the agent (its connection stays reusable);
  // an HTTP/1.0 agent cannot read chunked, so it gets the raw bytes and a close instead.
  const unframed = framing.kind === "chunked" || framing.kind === "close" || reframe;
  const keep = !plan.clientClose && !(unframed && plan.http10);
  if (unframed) {
    // A Content-Length next to chunked framing is ambiguous for the agent: drop it.
    outHeaders = withoutHeaders(outHeaders, ["content-length"]);
    if (!plan.http10) outHeaders.push(["Transfer-Encoding", "chunked"]);
  }
  outHeaders.push(["Connection", keep ? "keep-alive" : "close"]);

  let bytesIn = 0;
  try {
    // Encoded as writing the string would (UTF-8).
    const head = Buffer.from(serializeResponseHead(resHead.status, reason || "-", outHeaders));
    bytesIn = await streamResponseBody(up.reader, conn.sock, framing, !plan.http10, stream, reframe, head);
  } catch (e) {
    // Mid-stream failure: the head is gone, so the only honest signal is to drop both sides.
    slot.close();
    record({ decision: "error", status: resHead.status, bytesOut, bytesIn, reason: `stream cut: ${(e as Error).message}` });
    conn.sock.destroy();
    return "close";
  }
  if (!upstreamKeeps) slot.close();
  for (const n of stream?.found ?? []) found.add(n);
  record({ decision: "allow", status: resHead.status, bytesOut, bytesIn, ...scrubNote(found) });
  return keep ? "keep-alive" : "close";
}

async function upstreamFor(ctx: ExchangeContext, plan: ForwardPlan, slot: UpstreamSlot): Promise<{ up: UpstreamConn; reused: boolean }> {
  const t = plan.target;
  const key = `${t.tls ? "https" : "http"}://${t.host}:${t.port}`;
  const cur = slot.conn;
  if (cur && cur.key === key && !cur.sock.destroyed && cur.reader.buffered === 0 && !plan.upgrade) return { up: cur, reused: true };
  slot.close();
  const sock = (await dial(t.host, t.port, t.tls, ctx.dial)) as Socket;
  sock.setTimeout(UPSTREAM_IDLE_MS, () => sock.destroy());
  sock.on("error", () => {});
  const up = { key, sock, reader: new SocketReader(sock) };
  slot.conn = up;
  return { up, reused: false };
}

async function readResponseHead(reader: SocketReader, plan: ForwardPlan): Promise<ResponseHead> {
  // Interim 1xx responses (100 Continue, 103 Early Hints) are skipped, bounded.
  for (let i = 0; i < 16; i++) {
    const raw = await reader.readHead(HEAD_LIMIT);
    if (!raw) throw new ClosedError("upstream closed the connection before responding");
    const head = parseResponseHead(raw.toString("latin1"));
    if (head.status >= 200 || (head.status === 101 && plan.upgrade)) return head;
  }
  throw new HeadError("too many interim responses");
}
