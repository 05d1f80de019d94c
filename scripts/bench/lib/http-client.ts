// A minimal HTTP/1.1 keep-alive load client for proxy benchmarks: one socket
// per worker (CONNECT + TLS through a proxy, or TLS direct), requests sent one
// after another on it, latency measured per request. Written on raw sockets so
// every proxy under test sees the same client behaviour.
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { parseResponseHead, responseFraming } from "../../../src/bundle/proxy/http-head.ts";
import { SocketReader, writeAll } from "../../../src/bundle/proxy/reader.ts";

export interface Target {
  /** Origin host and port (what the client asks for). */
  host: string;
  port: number;
  /** Proxy to go through, or undefined for direct. */
  proxy?: { host: string; port: number };
  /** PEM CAs the client trusts (the proxy's CA when intercepting, else the origin's). */
  ca: string[];
}

export interface Conn {
  sock: TLSSocket;
  reader: SocketReader;
}

function once(sock: Socket | TLSSocket, ev: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout waiting for ${ev}`)), timeoutMs);
    sock.once(ev, () => (clearTimeout(t), resolve()));
    sock.once("error", (e) => (clearTimeout(t), reject(e)));
  });
}

export async function open(t: Target): Promise<Conn> {
  let raw: Socket | undefined;
  if (t.proxy) {
    raw = netConnect(t.proxy.port, t.proxy.host);
    await once(raw, "connect", 10_000);
    raw.setNoDelay(true);
    const r = new SocketReader(raw);
    await writeAll(raw, `CONNECT ${t.host}:${t.port} HTTP/1.1\r\nHost: ${t.host}:${t.port}\r\n\r\n`);
    const head = await r.readHead(16 * 1024);
    if (!head || !/^HTTP\/1\.[01] 200/.test(head.toString("latin1"))) throw new Error(`CONNECT refused: ${head?.toString("latin1").split("\r\n")[0]}`);
    const rest = r.detach();
    if (rest.length) raw.unshift(rest);
  }
  const sock = tlsConnect({
    ...(raw ? { socket: raw } : { host: "127.0.0.1", port: t.port }),
    servername: t.host,
    ca: t.ca,
    ALPNProtocols: ["http/1.1"],
  });
  await once(sock, "secureConnect", 10_000);
  sock.setNoDelay(true);
  return { sock, reader: new SocketReader(sock) };
}

/** One request on a kept-alive connection; resolves when the whole response body has been read. */
export async function request(c: Conn, t: Target, method: string, path: string, body?: Buffer): Promise<{ status: number; bytes: number }> {
  const head =
    `${method} ${path} HTTP/1.1\r\nHost: ${t.host}:${t.port}\r\nUser-Agent: bot-bottle-bench\r\nAccept: */*\r\n` +
    (body ? `Content-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n` : "") +
    "\r\n";
  await writeAll(c.sock, head);
  // 64 KiB slices: one huge write is slow on Bun sockets (see exchange.ts).
  if (body) for (let o = 0; o < body.length; o += 65536) await writeAll(c.sock, body.subarray(o, o + 65536));
  const raw = await c.reader.readHead(64 * 1024);
  if (!raw) throw new Error("connection closed");
  const res = parseResponseHead(raw.toString("latin1"));
  const framing = responseFraming(method, res.status, res.headers);
  let bytes = 0;
  if (framing.kind === "length") {
    while (bytes < framing.length) {
      const b = await c.reader.readSome(framing.length - bytes);
      if (!b) throw new Error("closed mid-body");
      bytes += b.length;
    }
  } else if (framing.kind === "chunked") {
    for (let more = true; more; ) more = await c.reader.readChunk((b) => void (bytes += b.length));
  } else if (framing.kind === "close") {
    throw new Error("benchmark needs keep-alive responses");
  }
  return { status: res.status, bytes };
}

export interface PhaseResult {
  requests: number;
  errors: number;
  seconds: number;
  /** Latencies in ms, sorted. */
  latencies: number[];
}

/** `workers` connections, each sending requests back to back for `seconds`. */
export async function runPhase(t: Target, workers: number, seconds: number, make: () => { method: string; path: string; body?: Buffer }): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      let c: Conn | undefined;
      // Bounded by time and by a generous request cap.
      for (let i = 0; i < 1_000_000 && performance.now() < deadline; i++) {
        try {
          c ??= await open(t);
          const r = make();
          const s = performance.now();
          const res = await request(c, t, r.method, r.path, r.body);
          if (res.status !== 200) errors++;
          latencies.push(performance.now() - s);
        } catch {
          errors++;
          c?.sock.destroy();
          c = undefined;
          await Bun.sleep(50);
        }
      }
      c?.sock.destroy();
    }),
  );
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, seconds: (performance.now() - t0) / 1000, latencies };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
