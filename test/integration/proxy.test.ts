// The bundle proxy end to end on loopback (no docker): a local HTTPS origin
// with its own CA, the proxy trusting it for upstream TLS, and curl (or raw
// sockets, for what curl cannot show) as the agent trusting the bottle CA.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import type { Daemon, ProxyConfig } from "../../src/bundle/config.ts";
import { readAudit } from "../../src/bundle/proxy/audit.ts";
import { startProxy, UPSTREAM_CA_ENV } from "../../src/bundle/proxy/server.ts";
import { startTestUpstream, type TestUpstream } from "../../scripts/bench/lib/upstream.ts";
import { missingPrograms, skipWhen } from "../helpers/skip.ts";
import { connectTunnel } from "../helpers/proxy-tunnel.ts";

/** The agent side of these tests is curl, as in a real bottle. */
const NO_CURL = skipWhen("proxy integration tests", missingPrograms(["curl"]));

const REAL_KEY = "sk-ant-api03-REALrealREALrealREALrealREALrealREAL-0123456789";
const PLACEHOLDER = "sk-ant-api03-PLACEHOLDERxxPLACEHOLDERxxPLACEHOLDER-9876543210";
const OTHER_PLACEHOLDER = "ghp_PLACEHOLDERforGITHUBxxxxxxxxxxxxxxxxxx";
const OPERATOR_SECRET = "correct-horse-battery-staple-42";

let dir: string;
let up: TestUpstream;
let plainUp: TestUpstream;
let proxy: Daemon;
let proxyUrl: string;
let auditFile: string;

function config(over: Partial<ProxyConfig>): ProxyConfig {
  return {
    listen: "127.0.0.1:0",
    allow: [],
    dlp: true,
    routes: [],
    secretEnv: [],
    caDir: join(dir, "ca"),
    auditLog: auditFile,
    blockPrivate: true,
    allowPrivate: ["localhost", "127.0.0.1"],
    ...over,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "bb-proxy-it-"));
  auditFile = join(dir, "audit.jsonl");
  up = await startTestUpstream(dir);
  plainUp = await startTestUpstream(join(dir), { tls: false });
  proxy = await startProxy(
    config({
      allow: [`localhost:${up.port}`, `localhost:${plainUp.port}`, "api.test", "github.test"],
      secretEnv: ["OPERATOR_SECRET"],
      routes: [
        {
          host: "api.test",
          upstream: up.url,
          credential: { kind: "anthropic-api-key", header: "x-api-key", prefix: "", env: "ANTHROPIC_API_KEY", placeholder: PLACEHOLDER, bundleEnv: "BOT_BOTTLE_CRED_0", query: true },
        },
        {
          host: "github.test",
          upstream: up.url,
          credential: { kind: "bearer", header: "authorization", prefix: "Bearer ", env: "GH_TOKEN", placeholder: OTHER_PLACEHOLDER, bundleEnv: "BOT_BOTTLE_CRED_1", query: false },
        },
      ],
    }),
    {
      [UPSTREAM_CA_ENV]: up.caFile,
      BOT_BOTTLE_CRED_0: REAL_KEY,
      BOT_BOTTLE_CRED_1: "ghp_REALgithubTOKENxxxxxxxxxxxxxxxxxxxxxxxx",
      OPERATOR_SECRET,
    },
  );
  proxyUrl = `http://127.0.0.1:${proxy.address.port}`;
});

afterAll(async () => {
  await proxy?.close();
  await up?.close();
  await plainUp?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface CurlResult {
  code: number;
  status: number;
  body: string;
  stderr: string;
}

async function curl(args: string[], opts: { ca?: string; proxy?: string } = {}): Promise<CurlResult> {
  const p = Bun.spawn(
    ["curl", "-sS", "--max-time", "15", "--cacert", opts.ca ?? join(dir, "ca", "ca.crt"), "-x", opts.proxy ?? proxyUrl, "-w", "\n%{http_code}", ...args],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [out, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  const i = out.lastIndexOf("\n");
  return { code, status: Number(out.slice(i + 1)), body: out.slice(0, i), stderr };
}

/** Send raw bytes to the proxy and collect the reply until it closes (bounded). */
async function rawProxy(request: string): Promise<string> {
  const sock = netConnect(proxy.address.port, "127.0.0.1");
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => (sock.destroy(), resolve()), 5000);
    sock.on("data", (d: Buffer) => chunks.push(d));
    sock.on("close", () => (clearTimeout(timer), resolve()));
    sock.on("error", () => (clearTimeout(timer), resolve()));
    sock.write(request);
  });
  return Buffer.concat(chunks).toString("utf8");
}

/** CONNECT through the proxy and return the raw tunnel socket. */
function tunnel(host: string, port: number, proxyPort = proxy.address.port): Promise<Socket> {
  return connectTunnel(proxyPort, host, port);
}

describe.skipIf(NO_CURL)("proxy: allowlist and forwarding", () => {
  test("allowed HTTPS GET is intercepted and forwarded", async () => {
    const r = await curl([`${up.url}/hello`]);
    expect(r.code).toBe(0);
    expect(r.status).toBe(200);
    expect(r.body).toBe("hello\n");
  });

  test("a denied host gets a readable 403 naming the host and the manifest fix", async () => {
    const reply = await rawProxy("CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n");
    expect(reply).toStartWith("HTTP/1.1 403");
    expect(reply).toContain("evil.example");
    expect(reply).toContain("not in the allowlist");
    expect(reply).toContain('allow = [..., "evil.example"]');
    const plain = await curl(["http://evil.example/"]);
    expect(plain.status).toBe(403);
    expect(plain.body).toContain("evil.example");
  });

  test("CONNECT to a non-443 port of an allowed host needs the port named", async () => {
    const reply = await rawProxy("CONNECT api.test:22 HTTP/1.1\r\nHost: api.test:22\r\n\r\n");
    expect(reply).toStartWith("HTTP/1.1 403");
    expect(reply).toContain("port 22");
    expect(reply).toContain('"api.test:22"');
  });

  test("keep-alive: curl reuses its proxy connection and the proxy reuses its upstream connection", async () => {
    const before = up.seen.length;
    const r = await curl(["-v", `${up.url}/hello`, `${up.url}/hello`, `${up.url}/hello`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Re-using existing connection");
    // curl offers h2 first; the proxy speaks HTTP/1.1 inside the tunnel and must say so.
    expect(r.stderr).toContain("ALPN: server accepted http/1.1");
    const seen = up.seen.slice(before);
    expect(seen.length).toBe(3);
    expect(new Set(seen.map((s) => s.peerPort)).size).toBe(1);
  });

  test("plain http:// absolute-form requests are forwarded", async () => {
    const r = await curl([`${plainUp.url}/hello`]);
    expect(r.status).toBe(200);
    expect(r.body).toBe("hello\n");
  });

  test("a 1 MB POST is scanned and forwarded whole", async () => {
    const file = join(dir, "one-mb.bin");
    writeFileSync(file, Buffer.alloc(1024 * 1024, "abcdefghij"));
    const r = await curl(["--data-binary", `@${file}`, "-H", "content-type: application/octet-stream", `${up.url}/echo`]);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).bodyBytes).toBe(1024 * 1024);
  });

  test("a chunked download larger than the proxy's buffers arrives intact", async () => {
    const r = await curl([`${up.url}/bytes?n=3000000`]);
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(3_000_000);
  });
});

describe.skipIf(NO_CURL)("proxy: streaming", () => {
  async function firstAndLast(url: string): Promise<{ firstMs: number; endMs: number; text: string }> {
    const t0 = performance.now();
    const p = Bun.spawn(["curl", "-sS", "-N", "--max-time", "15", "--cacert", join(dir, "ca", "ca.crt"), "-x", proxyUrl, url], { stdout: "pipe" });
    const reader = p.stdout.getReader();
    let firstMs = -1;
    let text = "";
    for (let i = 0; i < 1000; i++) {
      const { value, done } = await reader.read();
      if (done) break;
      if (firstMs < 0) firstMs = performance.now() - t0;
      text += new TextDecoder().decode(value);
    }
    await p.exited;
    return { firstMs, endMs: performance.now() - t0, text };
  }

  test("SSE: the first event arrives before the stream ends", async () => {
    const r = await firstAndLast(`${up.url}/sse?n=4&gap=400`);
    expect(r.text).toBe("data: event 0\n\ndata: event 1\n\ndata: event 2\n\ndata: event 3\n\n");
    // Four events 400 ms apart take ≥ 1.2 s; the first must not wait for them.
    expect(r.endMs).toBeGreaterThan(1100);
    expect(r.firstMs).toBeLessThan(r.endMs - 800);
  });

  test("chunked responses stream chunk by chunk", async () => {
    const r = await firstAndLast(`${up.url}/chunked?n=3&gap=400`);
    expect(r.text).toBe("chunk 0\nchunk 1\nchunk 2\n");
    expect(r.firstMs).toBeLessThan(r.endMs - 600);
  });
});

test.skipIf(NO_CURL)("an HTTP/1.0 client gets a streamed body raw, not chunked", async () => {
  const r = await curl(["--http1.0", `${up.url}/chunked?n=2&gap=50`]);
  expect(r.status).toBe(200);
  expect(r.body).toBe("chunk 0\nchunk 1\n");
});

describe.skipIf(NO_CURL)("proxy: WebSocket", () => {
  test("upgrade passes through and frames echo both ways", async () => {
    const raw = await tunnel("localhost", up.port);
    const tls = tlsConnect({ socket: raw, servername: "localhost", ca: [await Bun.file(join(dir, "ca", "ca.crt")).text()] });
    await new Promise<void>((resolve, reject) => (tls.once("secureConnect", () => resolve()), tls.once("error", reject)));
    const received: Buffer[] = [];
    tls.on("data", (d: Buffer) => received.push(d));
    tls.write(
      `GET /ws HTTP/1.1\r\nHost: localhost:${up.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    const waitFor = async (pred: (s: Buffer) => boolean) => {
      for (let i = 0; i < 100; i++) {
        if (pred(Buffer.concat(received))) return Buffer.concat(received);
        await Bun.sleep(50);
      }
      throw new Error("timed out: " + Buffer.concat(received).toString("latin1"));
    };
    const head = await waitFor((b) => b.includes("\r\n\r\n"));
    expect(head.toString("latin1")).toStartWith("HTTP/1.1 101");
    received.length = 0;
    // One masked text frame "hi".
    const mask = Buffer.from([1, 2, 3, 4]);
    const payload = Buffer.from("hi");
    const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
    tls.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    const frame = await waitFor((b) => b.length >= 2 && b.length >= 2 + (b[1]! & 0x7f));
    expect(frame[0]).toBe(0x81);
    expect(frame.subarray(2, 2 + (frame[1]! & 0x7f)).toString()).toBe("echo: hi");
    tls.destroy();
  });
});

describe.skipIf(NO_CURL)("proxy: DLP and egress routes", () => {
  test("an AWS access key in a header is blocked without echoing it", async () => {
    const before = up.seen.length;
    const r = await curl(["-H", "X-Debug: AKIAIOSFODNN7EXAMPLE", `${up.url}/echo`]);
    expect(r.status).toBe(403);
    expect(r.body).toContain("AWS access key ID");
    expect(r.body).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(up.seen.length).toBe(before);
  });

  test("an AWS key in a POST body is blocked", async () => {
    const r = await curl(["--data-binary", '{"note":"key AKIAIOSFODNN7EXAMPLE"}', `${up.url}/echo`]);
    expect(r.status).toBe(403);
    expect(r.body).toContain("request body");
  });

  test("the operator's own secret value is blocked", async () => {
    const r = await curl([`${up.url}/echo?q=${OPERATOR_SECRET}`]);
    expect(r.status).toBe(403);
    expect(r.body).toContain("OPERATOR_SECRET");
    expect(r.body).not.toContain(OPERATOR_SECRET);
  });

  test("a compressed request body cannot be scanned and is refused", async () => {
    const r = await curl(["-H", "content-encoding: gzip", "--data-binary", "not really gzip", `${up.url}/echo`]);
    expect(r.status).toBe(403);
    expect(r.body).toContain("compressed");
  });

  test("the route's placeholder is swapped: the upstream sees the real key, never the placeholder", async () => {
    const r = await curl(["-H", `x-api-key: ${PLACEHOLDER}`, "--data-binary", '{"model":"x"}', `https://api.test/echo?key=${PLACEHOLDER}`]);
    expect(r.status).toBe(200);
    const seen = up.seen.at(-1)!;
    expect(seen.headers["x-api-key"]).toBe(REAL_KEY);
    expect(seen.path).toBe(`/echo?key=${encodeURIComponent(REAL_KEY)}`);
    expect(seen.headers["x-forwarded-host"]).toBe("api.test");
    expect(JSON.stringify(up.seen)).not.toContain(PLACEHOLDER);
    // The echo carried the real key back: the agent sees its placeholder instead.
    const echoed = JSON.parse(r.body);
    expect(echoed.headers["x-api-key"]).toBe(PLACEHOLDER);
    expect(r.body).not.toContain(REAL_KEY);
  });

  test("whatever key the agent sends to a route host is replaced by the real one", async () => {
    const r = await curl(["-H", "x-api-key: agent-chosen-value", `https://api.test/echo`]);
    expect(r.status).toBe(200);
    expect(up.seen.at(-1)!.headers["x-api-key"]).toBe(REAL_KEY);
  });

  test("a placeholder sent to a host that is not its route's host is blocked", async () => {
    const before = up.seen.length;
    const r = await curl(["-H", `Authorization: Bearer ${PLACEHOLDER}`, `${up.url}/echo`]);
    expect(r.status).toBe(403);
    expect(r.body).toContain("placeholder for api.test");
    const other = await curl(["-H", `Authorization: Bearer ${OTHER_PLACEHOLDER}`, `https://api.test/echo`]);
    expect(other.status).toBe(403);
    expect(other.body).toContain("placeholder for github.test");
    expect(up.seen.length).toBe(before);
  });
});

describe.skipIf(NO_CURL)("proxy: TLS and SSRF", () => {
  test("a TLS client hello whose SNI differs from the CONNECT host is refused", async () => {
    const raw = await tunnel("localhost", up.port);
    const tls = tlsConnect({ socket: raw, servername: "other.example", rejectUnauthorized: false });
    const outcome = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve("timeout"), 5000);
      tls.once("secureConnect", () => tls.write(`GET /hello HTTP/1.1\r\nHost: localhost:${up.port}\r\n\r\n`));
      tls.on("data", () => (clearTimeout(timer), resolve("data")));
      tls.once("close", () => (clearTimeout(timer), resolve("closed")));
      tls.once("error", () => (clearTimeout(timer), resolve("closed")));
    });
    expect(outcome).toBe("closed");
    const rec = readAudit(auditFile).find((r) => r.reason?.includes("SNI"));
    expect(rec?.decision).toBe("block");
  });

  test("a host that resolves to a private address is refused unless allowPrivate names it", async () => {
    const strict = await startProxy(
      config({ allow: [`localhost:${up.port}`], allowPrivate: [], caDir: join(dir, "ca-strict"), auditLog: join(dir, "strict.jsonl") }),
      { [UPSTREAM_CA_ENV]: up.caFile },
    );
    try {
      const r = await curl([`${up.url}/hello`], { proxy: `http://127.0.0.1:${strict.address.port}`, ca: join(dir, "ca-strict", "ca.crt") });
      expect(r.status).toBe(403);
      expect(r.body).toContain("loopback");
      expect(readAudit(join(dir, "strict.jsonl")).some((a) => a.decision === "deny" && a.reason?.includes("loopback"))).toBe(true);
    } finally {
      await strict.close();
    }
  });

  test("with DLP off, a host without a route is tunnelled untouched (the client sees the real certificate)", async () => {
    const blind = await startProxy(config({ allow: [`localhost:${up.port}`], dlp: false, caDir: join(dir, "ca-blind"), auditLog: join(dir, "blind.jsonl") }), {});
    try {
      const r = await curl([`${up.url}/hello`], { proxy: `http://127.0.0.1:${blind.address.port}`, ca: up.caFile });
      expect(r.status).toBe(200);
      expect(readAudit(join(dir, "blind.jsonl"))[0]?.reason).toContain("tunnel");

      // Even unintercepted, a ClientHello naming another server is refused (domain fronting).
      const raw = await tunnel("localhost", up.port, blind.address.port);
      const tls = tlsConnect({ socket: raw, servername: "other.example", ca: [up.caPem] });
      const outcome = await new Promise<string>((resolve) => {
        tls.once("secureConnect", () => resolve("connected"));
        tls.once("error", () => resolve("refused"));
        tls.once("close", () => resolve("refused"));
      });
      expect(outcome).toBe("refused");
      await Bun.sleep(50);
      const last = readAudit(join(dir, "blind.jsonl")).at(-1);
      expect(last).toMatchObject({ decision: "block", method: "CONNECT" });
      expect(last?.reason).toContain("SNI");
    } finally {
      await blind.close();
    }
  });
});

describe.skipIf(NO_CURL)("proxy: audit", () => {
  test("every decision is one JSON line with the request's facts, and no secrets", async () => {
    const recs = readAudit(auditFile);
    const decisions = new Set(recs.map((r) => r.decision));
    expect(decisions.has("allow")).toBe(true);
    expect(decisions.has("deny")).toBe(true);
    expect(decisions.has("block")).toBe(true);
    const routed = recs.find((r) => r.route === "api.test" && r.decision === "allow");
    expect(routed).toMatchObject({ method: "POST", host: "api.test", port: 443, status: 200, intercepted: true });
    expect(routed?.path).toBe("/echo?key=…");
    expect(typeof routed?.ms).toBe("number");
    const text = await Bun.file(auditFile).text();
    for (const secret of [REAL_KEY, PLACEHOLDER, OPERATOR_SECRET, "AKIAIOSFODNN7EXAMPLE"]) expect(text).not.toContain(secret);
  });
});
