// Red-team probes of the real proxy on loopback, as an agent inside the bottle
// would send them: raw bytes on the proxy port (smuggling, pipelining, odd
// encodings) and a hostile route upstream that reflects the real credential in
// the places a scrubber of bodies and header values misses. Each test asserts
// on what the upstream received or what the agent got back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import type { Daemon, ProxyConfig } from "../../src/bundle/config.ts";
import { readAudit } from "../../src/bundle/proxy/audit.ts";
import { startProxy } from "../../src/bundle/proxy/server.ts";

const REAL = "sk-ant-api03-REALrealREALrealREALrealREALrealREAL-0123456789";
const PH = "sk-ant-api03-PLACEHOLDERxxPLACEHOLDERxxPLACEHOLDER-9876543210";
const QREAL = "qREALkeyABCDEFGHIJKLMNOPQRSTUVWX";
const QPH = "qPLACEHOLDERabcdefghijklmnopqrst";
const OP_SECRET = "opSECRETvalue-123456789";
const AWS = ["AKIA", "IOSFODNN7EXAMPLQ"].join("");

let dir: string;
let raw: Server;
let rawPort: number;
let proxy: Daemon;
/** Every byte the hostile upstream received since the last take(). */
let received: string[] = [];
const take = () => received.splice(0).join("");

/**
 * A hostile upstream: records what it gets and reflects the credential it received
 * (x-api-key header, or key= in the query) where the request path says.
 */
function hostileUpstream(): Server {
  return createServer((s) => {
    let buf = "";
    s.on("error", () => {});
    s.on("data", (d: Buffer) => {
      received.push(d.toString("latin1"));
      buf += d.toString("latin1");
      const i = buf.indexOf("\r\n\r\n");
      if (i < 0) return;
      const head = buf.slice(0, i);
      const cl = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < i + 4 + cl) return;
      buf = "";
      const path = head.split(" ")[1] ?? "";
      const key = /x-api-key: (.*)/i.exec(head)?.[1] ?? /key=([^& ]*)/.exec(path)?.[1] ?? "";
      const ok = (b: string, extra = "") => s.write(`HTTP/1.1 200 OK\r\n${extra}Content-Length: ${b.length}\r\n\r\n${b}`);
      switch (path.split("?")[0]) {
        case "/header-name":
          return ok("x", `${key}: 1\r\n`);
        case "/bad-status":
          return s.end(`HTTP/1.1 2000 ${key}\r\n\r\n`);
        case "/bad-status-line":
          return s.end(`${key} 200 OK\r\n\r\n`);
        case "/bad-header-name":
          return s.end(`HTTP/1.1 200 OK\r\n${key}@: 1\r\n\r\n`);
        default:
          return ok("ok");
      }
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "bb-redteam-it-"));
  raw = hostileUpstream();
  await new Promise<void>((r) => raw.listen(0, "127.0.0.1", () => r()));
  rawPort = (raw.address() as { port: number }).port;
  const cfg: ProxyConfig = {
    listen: "127.0.0.1:0",
    allow: [`localhost:${rawPort}`, "hostile.test", "q.test"],
    dlp: true,
    secretEnv: ["OP_SECRET"],
    caDir: join(dir, "ca"),
    auditLog: join(dir, "audit.jsonl"),
    blockPrivate: true,
    allowPrivate: ["localhost", "127.0.0.1"],
    routes: [
      {
        host: "hostile.test",
        upstream: `http://127.0.0.1:${rawPort}`,
        credential: { kind: "header", header: "x-api-key", prefix: "", env: "K", placeholder: PH, bundleEnv: "BOT_BOTTLE_CRED_0", query: false },
      },
      {
        host: "q.test",
        upstream: `http://127.0.0.1:${rawPort}`,
        credential: { kind: "header", header: "x-q", prefix: "", env: "Q", placeholder: QPH, bundleEnv: "BOT_BOTTLE_CRED_1", query: true },
      },
    ],
  };
  proxy = await startProxy(cfg, { BOT_BOTTLE_CRED_0: REAL, BOT_BOTTLE_CRED_1: QREAL, OP_SECRET });
});

afterAll(async () => {
  await proxy?.close();
  raw?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Raw bytes to the proxy port; everything it answers until it closes or `ms` pass. */
function send(data: string | Buffer, ms = 1500): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(proxy.address.port, "127.0.0.1");
    let out = "";
    const done = () => (clearTimeout(timer), s.destroy(), resolve(out));
    const timer = setTimeout(done, ms);
    s.on("data", (d: Buffer) => (out += d.toString("latin1")));
    s.on("close", done);
    s.on("error", () => {});
    // Strings are byte strings (latin1): what is written is exactly what the test built.
    s.write(typeof data === "string" ? Buffer.from(data, "latin1") : data);
  });
}

const H = () => `localhost:${rawPort}`;
const get = (target: string, headers = "") => `GET ${target} HTTP/1.1\r\nHost: h\r\n${headers}\r\n`;
// PORT and "Host: h" are filled in when the test runs (tables are built before the upstream listens).
const post = (body: string, headers = "") => `POST http://localhost:PORT/up HTTP/1.1\r\nHost: h\r\n${headers}Content-Length: ${Buffer.byteLength(body, "latin1")}\r\n\r\n${body}`;
/** Every status line the agent got, in order (interim 100s and pipelined responses included). */
const status = (out: string) => (out.match(/HTTP\/1\.[01] \d{3}[^\r]*/g) ?? []).join(" | ");

describe("request smuggling and framing: nothing unscanned reaches the upstream", () => {
  test.each([
    ["pipelined second request carrying a key", get("http://localhost:PORT/a") + get(`http://localhost:PORT/${AWS}`), /200 OK \| HTTP\/1\.1 403/],
    ["Content-Length with Transfer-Encoding", `POST http://localhost:PORT/a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, /400/],
    ["two different Content-Lengths", `POST http://localhost:PORT/a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`, /400/],
    ["Transfer-Encoding: chunked, identity", `POST http://localhost:PORT/a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`, /400/],
    ["obs-fold continuation carrying a key", `GET http://localhost:PORT/a HTTP/1.1\r\nHost: h\r\nX-A: a\r\n ${AWS}\r\n\r\n`, /400/],
    ["NUL inside a header value", `GET http://localhost:PORT/a HTTP/1.1\r\nHost: h\r\nX-A: a\0${AWS}\r\n\r\n`, /400/],
    ["a key in a chunk extension", `POST http://localhost:PORT/a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;x=${AWS}\r\nhello\r\n0\r\n\r\n`, /200 OK/],
    ["a key in a trailer", `POST http://localhost:PORT/a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: ${AWS}\r\n\r\n`, /200 OK/],
    ["a key split across two chunks", `POST http://localhost:PORT/a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n${AWS.slice(0, 8)}\r\nc\r\n${AWS.slice(8)}\r\n0\r\n\r\n`, /403/],
    ["GET with a body", `GET http://localhost:PORT/a HTTP/1.1\r\nHost: h\r\nContent-Length: 20\r\n\r\n${AWS}`, /403/],
    ["Expect: 100-continue body", `POST http://localhost:PORT/a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 20\r\n\r\n${AWS}`, /100 Continue \| HTTP\/1\.1 403/],
    ["HTTP/1.0 without Host", `GET http://localhost:PORT/${AWS} HTTP/1.0\r\n\r\n`, /403/],
    ["a key after a latin1 byte in a header", `GET http://localhost:PORT/a HTTP/1.1\r\nHost: h\r\nX-A: \xe9${AWS}\r\n\r\n`, /403/],
    ["a key as a header name", `GET http://localhost:PORT/a HTTP/1.1\r\nHost: h\r\n${AWS}: 1\r\n\r\n`, /403/],
    ["a key as the method", `${AWS} http://localhost:PORT/a HTTP/1.1\r\nHost: h\r\n\r\n`, /403/],
    ["an operator secret percent-encoded in the path, %2f after it", `GET http://localhost:PORT/${[...OP_SECRET].map((c) => "%" + c.charCodeAt(0).toString(16)).join("")}%2f HTTP/1.1\r\nHost: h\r\n\r\n`, /403/],
    ["URL-safe base64 without padding in the query", `GET http://localhost:PORT/?q=${Buffer.from("\xfb" + AWS, "latin1").toString("base64url")} HTTP/1.1\r\nHost: h\r\n\r\n`, /403/],
    ["another route's placeholder in a header", `GET http://localhost:PORT/a HTTP/1.1\r\nHost: h\r\nX-A: ${PH}\r\n\r\n`, /403/],
    ["another route's placeholder in the query", `GET http://localhost:PORT/a?x=${PH} HTTP/1.1\r\nHost: h\r\n\r\n`, /403/],
    ["another route's placeholder in the path", `GET http://localhost:PORT/${PH} HTTP/1.1\r\nHost: h\r\n\r\n`, /403/],
    ["userinfo in an absolute URL", `GET http://u:${AWS}@localhost:PORT/a HTTP/1.1\r\nHost: h\r\n\r\n`, /400/],
    ["userinfo in a CONNECT target", `CONNECT u:${AWS}@localhost:PORT HTTP/1.1\r\nHost: h\r\n\r\n`, /400/],
  ])("%s", async (_name, req, want) => {
    take();
    const out = await send(req.replaceAll("PORT", String(rawPort)).replaceAll("Host: h\r\n", `Host: ${H()}\r\n`));
    expect(status(out)).toMatch(want);
    await Bun.sleep(50);
    const got = take();
    expect(got).not.toContain(AWS);
    expect(got).not.toContain("opSECRET");
    expect(got).not.toContain(PH);
  });
});

describe("a hostile route upstream cannot hand the agent the real credential", () => {
  // hostile.test reflects the x-api-key header; q.test (credential in the query) reflects key=.
  const leaks = (out: string) => out.includes(REAL) || out.includes(QREAL);
  test.each([
    ["as a response header name", "/header-name"],
    ["in a malformed status code (the 502 names what it could not parse)", "/bad-status"],
    ["as a malformed status line", "/bad-status-line"],
    ["in an invalid response header name", "/bad-header-name"],
  ])("%s", async (_name, path) => {
    const out = await send(`GET http://hostile.test${path} HTTP/1.1\r\nHost: hostile.test\r\nConnection: close\r\n\r\n`);
    const outQ = await send(`GET http://q.test${path}?key=${QPH} HTTP/1.1\r\nHost: q.test\r\nConnection: close\r\n\r\n`);
    // The upstream did get the real credentials: the question is only what came back.
    expect(take()).toContain(REAL);
    expect(out).toMatch(/^HTTP\/1\.1 (200|502)/);
    expect(leaks(out)).toBe(false);
    expect(leaks(outQ)).toBe(false);
    if (path === "/header-name") expect(out).toContain(`${PH}: 1`);
    // Nor is it written to the audit log the operator reads.
    const audit = JSON.stringify(readAudit(join(dir, "audit.jsonl")));
    expect(audit).not.toContain(REAL);
    expect(audit).not.toContain(QREAL);
  });
});

test("a query route injects the real key only as a parameter's whole value, never inside a URL the agent chose", async () => {
  take();
  await send(`GET http://q.test/x?redirect=https://elsewhere.test/cb?k=${QPH} HTTP/1.1\r\nHost: q.test\r\nConnection: close\r\n\r\n`);
  await send(`GET http://q.test/x?key=${QPH} HTTP/1.1\r\nHost: q.test\r\nConnection: close\r\n\r\n`);
  const got = take();
  expect(got).toContain(`GET /x?redirect=https://elsewhere.test/cb?k=${QPH} `);
  expect(got).toContain(`GET /x?key=${QREAL} `);
});

describe("encodings an agent would reach for first", () => {
  const file = `[default]\naws_access_key_id = ${AWS}\nregion = eu-west-1\n`;
  const wrapped = Buffer.from("# credentials file\n" + file).toString("base64").replace(/.{76}/g, "$&\n");
  // A few KB of base64 gzip that inflates to 2 MiB: past the scanner's budget, refused rather than skipped.
  const blob = Buffer.from(gzipSync(Buffer.from(" ".repeat(2 * 1024 * 1024) + " " + AWS + " "))).toString("base64");
  test.each([
    ["`base64 file` output (wrapped at 76 columns) as a body", post(wrapped), /403/],
    ["the same inside a JSON string", post(JSON.stringify({ file: wrapped })), /403/],
    ["the key in fullwidth letters and digits (UTF-8)", post(Buffer.from(JSON.stringify({ k: AWS.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)) }), "utf8").toString("latin1")), /403/],
    ["base64 gzip inflating past the budget, in a body", post(JSON.stringify({ file: blob })), /403/],
    ["base64 gzip inflating past the budget, in a header", `GET http://localhost:PORT/a HTTP/1.1\r\nHost: h\r\nX-Blob: ${blob}\r\n\r\n`, /403/],
  ])("%s", async (_name, req, want) => {
    take();
    const out = await send(req.replaceAll("PORT", String(rawPort)).replaceAll("Host: h\r\n", `Host: ${H()}\r\n`));
    expect(status(out)).toMatch(want);
    await Bun.sleep(50);
    expect(take()).toBe("");
  });
  test("a credential route refuses the blob too (it cannot be redacted unseen)", async () => {
    take();
    const body = JSON.stringify({ messages: [{ role: "user", content: blob }] });
    const out = await send(`POST http://q.test/v1 HTTP/1.1\r\nHost: q.test\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    expect(status(out)).toMatch(/403/);
    expect(take()).toBe("");
  });
});

test("connections that promise 8 MiB bodies and stall do not lock other requests out of the scan budget", async () => {
  // 16 × 8 MiB promised = the whole 128 MiB budget when it was reserved from Content-Length up front.
  const hogs = Array.from({ length: 20 }, () => {
    const s = connect(proxy.address.port, "127.0.0.1");
    s.on("error", () => {});
    s.write(`POST http://localhost:${rawPort}/hog HTTP/1.1\r\nHost: x\r\nContent-Length: ${8 * 1024 * 1024}\r\n\r\nA`);
    return s;
  });
  try {
    await Bun.sleep(300);
    const out = await send(post("hello").replaceAll("PORT", String(rawPort)).replaceAll("Host: h\r\n", `Host: ${H()}\r\n`), 1000);
    expect(status(out)).toMatch(/^HTTP\/1\.1 200/);
  } finally {
    for (const s of hogs) s.destroy();
  }
});
