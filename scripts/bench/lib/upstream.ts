// A local HTTPS origin for proxy tests and benchmarks: its own CA (written to
// a file the proxy is told to trust), a leaf for localhost/127.0.0.1, and a
// few endpoints that exercise what a proxy can get wrong: keep-alive, large
// uploads, chunked and SSE streaming, WebSocket echo, header reflection.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCaCert, createLeafCert, EC_ALG, signerFromCert } from "../../../src/bundle/proxy/cert.ts";
import { derToPem } from "../../../src/bundle/proxy/der.ts";

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  bodyBytes: number;
  /** The body as text (first 64 KiB): what the origin really received. */
  body: string;
  /** Source port of the proxy's connection: equal ports mean a reused (kept-alive) connection. */
  peerPort: number;
}

export interface TestUpstream {
  /** https://localhost:PORT */
  url: string;
  port: number;
  caFile: string;
  caPem: string;
  /** Every request the origin received, in order. */
  seen: SeenRequest[];
  /** WebSocket messages the origin received (text, or binary as latin1). */
  wsSeen: string[];
  close(): Promise<void>;
}

async function pem(keys: CryptoKeyPair) {
  return derToPem(new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey)), "PRIVATE KEY");
}

export async function makeUpstreamCerts(dir: string): Promise<{ caFile: string; caPem: string; cert: string; key: string }> {
  const caKeys = (await crypto.subtle.generateKey(EC_ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const caDer = await createCaCert(caKeys, "test upstream CA");
  const signer = await signerFromCert(caDer, caKeys.privateKey);
  const leafKeys = (await crypto.subtle.generateKey(EC_ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", leafKeys.publicKey));
  const leafDer = await createLeafCert(signer, ["localhost", "127.0.0.1"], spki);
  const caPem = derToPem(caDer, "CERTIFICATE");
  const caFile = join(dir, `upstream-ca-${Buffer.from(crypto.getRandomValues(new Uint8Array(4))).toString("hex")}.crt`);
  writeFileSync(caFile, caPem);
  return { caFile, caPem, cert: derToPem(leafDer, "CERTIFICATE"), key: await pem(leafKeys) };
}

const enc = new TextEncoder();

export async function startTestUpstream(dir: string, opts: { tls?: boolean; record?: boolean; hostname?: string } = {}): Promise<TestUpstream> {
  const certs = await makeUpstreamCerts(dir);
  const useTls = opts.tls ?? true;
  const record = opts.record ?? true;
  const seen: SeenRequest[] = [];
  const wsSeen: string[] = [];
  const server = Bun.serve<{ key: string }, never>({
    hostname: opts.hostname ?? "127.0.0.1",
    port: 0,
    ...(useTls ? { tls: { cert: certs.cert, key: certs.key } } : {}),
    async fetch(req, srv) {
      const url = new URL(req.url);
      const body = req.method === "GET" || req.method === "HEAD" ? new Uint8Array() : new Uint8Array(await req.arrayBuffer());
      if (record) {
        const peerPort = srv.requestIP(req)?.port ?? 0;
        const text = Buffer.from(body.subarray(0, 64 * 1024)).toString("latin1");
        seen.push({ method: req.method, path: url.pathname + url.search, headers: Object.fromEntries(req.headers), bodyBytes: body.length, body: text, peerPort });
      }
      switch (url.pathname) {
        case "/hello":
          return new Response("hello\n");
        case "/echo":
          return Response.json({ method: req.method, path: url.pathname + url.search, headers: Object.fromEntries(req.headers), bodyBytes: body.length });
        case "/bytes": {
          const n = Number(url.searchParams.get("n") ?? "1024");
          return new Response(new Uint8Array(n).fill(120));
        }
        case "/sse":
          return streamed(url, "text/event-stream", (i) => `data: event ${i}\n\n`);
        case "/chunked":
          return streamed(url, "text/plain", (i) => `chunk ${i}\n`);
        case "/reflect":
          return reflect(url, req.headers.get("x-api-key") ?? req.headers.get("authorization") ?? "");
        case "/ws":
          if (srv.upgrade(req, { data: { key: req.headers.get("x-api-key") ?? "" } })) return undefined;
          return new Response("expected a WebSocket upgrade", { status: 400 });
        default:
          return new Response("not found\n", { status: 404 });
      }
    },
    websocket: {
      message(ws, msg) {
        wsSeen.push(typeof msg === "string" ? msg : Buffer.from(msg).toString("latin1"));
        // A hostile or debugging server echoing the credential it was sent.
        if (msg === "reflect") return void ws.send(`your key is ${ws.data.key}`);
        ws.send(typeof msg === "string" ? `echo: ${msg}` : msg);
      },
    },
  });
  const port = server.port!;
  return {
    url: `${useTls ? "https" : "http"}://${opts.hostname ?? "localhost"}:${port}`,
    port,
    caFile: certs.caFile,
    caPem: certs.caPem,
    seen,
    wsSeen,
    async close() {
      await server.stop(true);
    },
  };
}

/** n events (query `n`, default 3), `gap` ms apart (default 300): the first is sent at once. */
function streamed(url: URL, type: string, line: (i: number) => string): Response {
  const n = Math.min(Number(url.searchParams.get("n") ?? "3"), 100);
  const gap = Math.min(Number(url.searchParams.get("gap") ?? "300"), 5000);
  let i = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(ctrl) {
      const tick = () => {
        ctrl.enqueue(enc.encode(line(i++)));
        if (i >= n) ctrl.close();
        else timer = setTimeout(tick, gap);
      };
      tick();
    },
    cancel() {
      clearTimeout(timer);
    },
  });
  return new Response(stream, { headers: { "content-type": type, "cache-control": "no-cache" } });
}

/**
 * An origin that reflects the credential it received (a debug endpoint, an
 * error page, a hostile gateway): in a response header and in the body raw,
 * hex, base64 and percent-encoded, the raw copy split across two chunks sent
 * `gap` ms apart (query `sse=1`: as server-sent events; `gzip=1`: compressed).
 */
function reflect(url: URL, key: string): Response {
  const token = key.replace(/^Bearer /, "");
  const half = Math.floor(token.length / 2);
  const pieces = [
    `first: ${token.slice(0, half)}`,
    `${token.slice(half)}\nhex: ${Buffer.from(token).toString("hex")}\nb64: ${Buffer.from("x" + token).toString("base64")}\npct: ${encodeURIComponent(token)}\n`,
  ];
  const headers: Record<string, string> = { "x-echo-key": token, "content-type": url.searchParams.has("sse") ? "text/event-stream" : "text/plain" };
  if (url.searchParams.has("gzip")) {
    return new Response(Bun.gzipSync(enc.encode(pieces.join(""))), { headers: { ...headers, "content-encoding": "gzip" } });
  }
  const sse = url.searchParams.has("sse");
  const gap = Math.min(Number(url.searchParams.get("gap") ?? "50"), 2000);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(ctrl) {
      ctrl.enqueue(enc.encode(sse ? `data: ${pieces[0]}` : pieces[0]!));
      timer = setTimeout(() => {
        ctrl.enqueue(enc.encode(sse ? `${pieces[1]!.replace(/\n/g, " ")}\n\n` : pieces[1]!));
        ctrl.close();
      }, gap);
    },
    cancel() {
      clearTimeout(timer);
    },
  });
  return new Response(stream, { headers });
}
