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

export async function startTestUpstream(dir: string, opts: { tls?: boolean; record?: boolean } = {}): Promise<TestUpstream> {
  const certs = await makeUpstreamCerts(dir);
  const useTls = opts.tls ?? true;
  const record = opts.record ?? true;
  const seen: SeenRequest[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    ...(useTls ? { tls: { cert: certs.cert, key: certs.key } } : {}),
    async fetch(req, srv) {
      const url = new URL(req.url);
      const body = req.method === "GET" || req.method === "HEAD" ? new Uint8Array() : new Uint8Array(await req.arrayBuffer());
      if (record) {
        const peerPort = srv.requestIP(req)?.port ?? 0;
        seen.push({ method: req.method, path: url.pathname + url.search, headers: Object.fromEntries(req.headers), bodyBytes: body.length, peerPort });
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
        case "/ws":
          if (srv.upgrade(req)) return undefined;
          return new Response("expected a WebSocket upgrade", { status: 400 });
        default:
          return new Response("not found\n", { status: 404 });
      }
    },
    websocket: {
      message(ws, msg) {
        ws.send(typeof msg === "string" ? `echo: ${msg}` : msg);
      },
    },
  });
  const port = server.port!;
  return {
    url: `${useTls ? "https" : "http"}://localhost:${port}`,
    port,
    caFile: certs.caFile,
    caPem: certs.caPem,
    seen,
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
