// What goes through an allowed door: the real proxy on loopback, a local
// HTTPS origin that records what it received and reflects credentials, and
// the agent side as curl or raw sockets. Each test asserts on what the
// origin really got (or that the agent never saw a real key).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { gzipSync } from "node:zlib";
import type { Daemon, ProxyConfig } from "../../src/bundle/config.ts";
import { readAudit } from "../../src/bundle/proxy/audit.ts";
import { startProxy, UPSTREAM_CA_ENV } from "../../src/bundle/proxy/server.ts";
import { encodeFrame } from "../../src/bundle/proxy/websocket.ts";
import { startTestUpstream, type TestUpstream } from "../../scripts/bench/lib/upstream.ts";
import { connectTunnel } from "../helpers/proxy-tunnel.ts";

const CURL = Bun.which("curl");
if (!CURL) console.warn("skipping proxy egress tests: curl is not installed");

const REAL_KEY = "sk-ant-api03-REALrealREALrealREALrealREALrealREAL-0123456789";
const PLACEHOLDER = "sk-ant-api03-PLACEHOLDERxxPLACEHOLDERxxPLACEHOLDER-9876543210";
const OPENAI_PH = "sk-proj-PLACEHOLDERforOPENAIxxxxxxxxxxxxxxxx";
const AWS = ["AKIA", "IOSFODNN7EXAMPLQ"].join("");

let dir: string;
let up: TestUpstream;
let plainUp: TestUpstream;
let proxy: Daemon;
let proxyUrl: string;
let auditFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "bb-egress-it-"));
  auditFile = join(dir, "audit.jsonl");
  up = await startTestUpstream(dir);
  plainUp = await startTestUpstream(dir, { tls: false });
  const cfg: ProxyConfig = {
    listen: "127.0.0.1:0",
    allow: [`localhost:${up.port}`, `localhost:${plainUp.port}`, "api.test", "block.test", "plain.test", "openai.test"],
    dlp: true,
    secretEnv: [],
    caDir: join(dir, "ca"),
    auditLog: auditFile,
    blockPrivate: true,
    allowPrivate: ["localhost", "127.0.0.1"],
    routes: [
      {
        host: "api.test",
        upstream: up.url,
        credential: { kind: "anthropic-api-key", header: "x-api-key", prefix: "", env: "ANTHROPIC_API_KEY", placeholder: PLACEHOLDER, bundleEnv: "BOT_BOTTLE_CRED_0", query: false },
      },
      {
        host: "block.test",
        upstream: up.url,
        dlp: "block",
        credential: { kind: "header", header: "x-api-key", prefix: "", env: "BLOCK_KEY", placeholder: "blockPLACEHOLDERxxxxxxxxxxxxxx", bundleEnv: "BOT_BOTTLE_CRED_1", query: false },
      },
      {
        host: "plain.test",
        upstream: plainUp.url,
        credential: { kind: "header", header: "x-api-key", prefix: "", env: "PLAIN_KEY", placeholder: "plainPLACEHOLDERxxxxxxxxxxxxxx", bundleEnv: "BOT_BOTTLE_CRED_2", query: false },
      },
      {
        host: "openai.test",
        credential: { kind: "openai", header: "authorization", prefix: "Bearer ", env: "OPENAI_API_KEY", placeholder: OPENAI_PH, bundleEnv: "BOT_BOTTLE_CRED_3", query: false },
      },
    ],
  };
  proxy = await startProxy(cfg, {
    [UPSTREAM_CA_ENV]: up.caFile,
    BOT_BOTTLE_CRED_0: REAL_KEY,
    BOT_BOTTLE_CRED_1: "blockREALxxxxxxxxxxxxxxxxxxxxxx",
    BOT_BOTTLE_CRED_2: "plainREALxxxxxxxxxxxxxxxxxxxxxx",
    BOT_BOTTLE_CRED_3: "sk-proj-REALopenaiKEYxxxxxxxxxxxxxxxxxxxxx",
  });
  proxyUrl = `http://127.0.0.1:${proxy.address.port}`;
});

afterAll(async () => {
  await proxy?.close();
  await up?.close();
  await plainUp?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function curl(args: string[]): Promise<{ status: number; body: string; headers: string }> {
  const hfile = join(dir, `h-${crypto.randomUUID()}`);
  const p = Bun.spawn(["curl", "-sS", "--max-time", "15", "--cacert", join(dir, "ca", "ca.crt"), "-x", proxyUrl, "-D", hfile, "-w", "\n%{http_code}", ...args], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = await new Response(p.stdout).text();
  await p.exited;
  const i = out.lastIndexOf("\n");
  const headers = await Bun.file(hfile).text().catch(() => "");
  return { status: Number(out.slice(i + 1)), body: out.slice(0, i), headers };
}

/** A TLS connection to `host` through the proxy (the agent's view of an intercepted tunnel). */
async function tlsThrough(host: string): Promise<TLSSocket> {
  const sock = await connectTunnel(proxy.address.port, host, 443);
  const ca = await Bun.file(join(dir, "ca", "ca.crt")).text();
  return await new Promise<TLSSocket>((resolve, reject) => {
    const t = tlsConnect({ socket: sock, servername: host, ca, ALPNProtocols: ["http/1.1"] }, () => resolve(t));
    t.once("error", reject);
  });
}

/** Collect what a socket sends until it closes or `ms` pass. */
function collect(sock: TLSSocket, ms = 3000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(Buffer.concat(chunks)), ms);
    sock.on("data", (d: Buffer) => chunks.push(d));
    sock.on("close", () => (clearTimeout(timer), resolve(Buffer.concat(chunks))));
  });
}

const lastAudit = () => readAudit(auditFile).at(-1)!;

describe.skipIf(!CURL)("every byte that leaves is scanned", () => {
  test.each([
    ["raw", AWS],
    ["percent-encoded", [...AWS].map((c) => "%" + c.charCodeAt(0).toString(16)).join("")],
    ["base64 at offset 1", Buffer.from("k=" + AWS).toString("base64")],
    ["base64 at offset 2", Buffer.from("k: " + AWS).toString("base64")],
    ["base64url", Buffer.from("\xfb\xff=" + AWS, "latin1").toString("base64url")],
    ["hex", Buffer.from(AWS).toString("hex")],
    ["HEX", Buffer.from(AWS).toString("hex").toUpperCase()],
  ])("an AWS key %s in the Upgrade header never reaches the origin", async (_how, value) => {
    const before = up.seen.length;
    const r = await curl(["-H", "Connection: Upgrade", "-H", `Upgrade: ${value}`, `${up.url}/echo`]);
    expect(r.status).toBe(403);
    expect(up.seen.length).toBe(before);
    expect(JSON.stringify(up.seen)).not.toContain(value);
  });

  test("an unknown upgrade token is refused; websocket is re-sent as the proxy's own token", async () => {
    const before = up.seen.length;
    expect((await curl(["-H", "Connection: Upgrade", "-H", "Upgrade: h2c, exfil-channel", `${up.url}/echo`])).status).toBe(403);
    expect(up.seen.length).toBe(before);
  });

  test.each([
    ["a percent-encoded key in the path", (k: string) => [`${up.url}/echo/${encodeURIComponent(k).replace(/A/g, "%41")}`]],
    ["a key in the query, hex", (k: string) => [`${up.url}/echo?d=${Buffer.from(k).toString("hex")}`]],
    ["a gzip body sent as octet-stream (no Content-Encoding)", (k: string) => ["-H", "content-type: application/octet-stream", "--data-binary", `@${gz(k)}`, `${up.url}/echo`]],
    ["a gzip body with Content-Encoding", (k: string) => ["-H", "content-encoding: gzip", "--data-binary", `@${gz(k)}`, `${up.url}/echo`]],
    ["a base64 body at offset 2", (k: string) => ["--data-binary", Buffer.from("a:" + k).toString("base64"), `${up.url}/echo`]],
  ])("%s is blocked on an ordinary host", async (_why, args) => {
    const before = up.seen.length;
    const r = await curl(args(AWS));
    expect(r.status).toBe(403);
    expect(up.seen.length).toBe(before);
  });

  test("the real route credential, once known, is blocked in every form", async () => {
    for (const form of [REAL_KEY, Buffer.from(REAL_KEY).toString("hex"), Buffer.from("z" + REAL_KEY).toString("base64"), encodeURIComponent(REAL_KEY)]) {
      const r = await curl(["--data-binary", `note=${form}`, `${up.url}/echo`]);
      expect(r.status).toBe(403);
    }
    expect(JSON.stringify(up.seen)).not.toContain(REAL_KEY.slice(20));
  });

  test("a decompression bomb is refused, not scanned forever or passed", async () => {
    const bomb = join(dir, "bomb.gz");
    await Bun.write(bomb, gzipSync(Buffer.alloc(64 * 1024 * 1024)));
    const r = await curl(["-H", "content-type: application/octet-stream", "--data-binary", `@${bomb}`, `${up.url}/echo`]);
    expect(r.status).toBe(403);
    expect(r.body).toContain("expands past");
  });
});

function gz(text: string): string {
  const f = join(dir, `gz-${crypto.randomUUID()}`);
  require("node:fs").writeFileSync(f, gzipSync(Buffer.from(`{"log":"${text}"}`)));
  return f;
}

describe.skipIf(!CURL)("redact, don't brick, on credential routes", () => {
  test("a DLP hit and another route's placeholder in a model request body are replaced by markers and the request is sent", async () => {
    const body = JSON.stringify({ messages: [{ role: "user", content: `env:\nAWS_ACCESS_KEY_ID=${AWS}\nOPENAI_API_KEY=${OPENAI_PH}\nok` }] });
    const r = await curl(["-H", `x-api-key: ${PLACEHOLDER}`, "-H", "content-type: application/json", "--data-binary", body, "https://api.test/echo"]);
    expect(r.status).toBe(200);
    const seen = up.seen.at(-1)!;
    expect(seen.body).not.toContain(AWS);
    expect(seen.body).not.toContain(OPENAI_PH);
    expect(seen.body).toContain("[REDACTED:aws-access-key]");
    expect(seen.body).toContain("[PLACEHOLDER:OPENAI_API_KEY]");
    expect(Number(seen.headers["content-length"])).toBe(seen.bodyBytes);
    expect(JSON.parse(seen.body).messages[0].content).toContain("\nok");
    expect(lastAudit().redacted).toEqual(["[REDACTED:aws-access-key]", "[PLACEHOLDER:OPENAI_API_KEY]"]);
  });

  test("encoded findings are redacted too (base64, hex, percent)", async () => {
    const forms = [Buffer.from("id " + AWS).toString("base64"), Buffer.from(AWS).toString("hex"), encodeURIComponent(OPENAI_PH).replace(/-/g, "%2D")];
    const r = await curl(["-H", `x-api-key: ${PLACEHOLDER}`, "--data-binary", JSON.stringify({ a: forms }), "https://api.test/echo"]);
    expect(r.status).toBe(200);
    const seen = up.seen.at(-1)!.body;
    for (const f of forms) expect(seen).not.toContain(f);
    expect(seen.match(/\[REDACTED:aws-access-key\]/g)?.length).toBe(2);
    expect(seen).toContain("[PLACEHOLDER:OPENAI_API_KEY]");
  });

  test("a gzip-encoded model request is redacted and sent decoded", async () => {
    const r = await curl(["-H", `x-api-key: ${PLACEHOLDER}`, "-H", "content-encoding: gzip", "--data-binary", `@${gz(AWS)}`, "https://api.test/echo"]);
    expect(r.status).toBe(200);
    const seen = up.seen.at(-1)!;
    expect(seen.headers["content-encoding"]).toBeUndefined();
    expect(seen.body).toBe('{"log":"[REDACTED:aws-access-key]"}');
  });

  test('a route with dlp = "block" still refuses, and so does a secret in a header of a credential route', async () => {
    const before = up.seen.length;
    expect((await curl(["--data-binary", `k=${AWS}`, "https://block.test/echo"])).status).toBe(403);
    expect((await curl(["-H", `x-debug: ${AWS}`, "https://api.test/echo"])).status).toBe(403);
    expect(up.seen.length).toBe(before);
  });
});

describe.skipIf(!CURL)("responses are scrubbed of real credentials", () => {
  test("a reflected key in a header and in a streamed body (split across chunks, hex, base64, percent) reaches the agent as the placeholder", async () => {
    const r = await curl(["-H", `x-api-key: ${PLACEHOLDER}`, "https://api.test/reflect?gap=200"]);
    expect(r.status).toBe(200);
    const all = r.headers + r.body;
    for (const f of [REAL_KEY, Buffer.from(REAL_KEY).toString("hex"), encodeURIComponent(REAL_KEY), Buffer.from("x" + REAL_KEY).toString("base64").slice(4, -4)]) {
      expect(all).not.toContain(f);
    }
    expect(r.headers.toLowerCase()).toContain(`x-echo-key: ${PLACEHOLDER.toLowerCase()}`);
    expect(r.body).toContain(`first: ${PLACEHOLDER}`);
    expect(r.body).toContain(`hex: ${Buffer.from(PLACEHOLDER).toString("hex")}`);
    expect(lastAudit().scrubbed).toEqual(["BOT_BOTTLE_CRED_0"]);
  });

  test("SSE: the key split across two events is scrubbed and events still stream", async () => {
    const r = await curl(["-N", "-H", `x-api-key: ${PLACEHOLDER}`, "https://api.test/reflect?sse=1&gap=300"]);
    expect(r.body).toContain(`data: first: ${PLACEHOLDER}`);
    expect(r.body).not.toContain(REAL_KEY);
    expect(r.body).not.toContain(REAL_KEY.slice(0, 30));
  });

  test("a compressed reflection from a route's upstream is decoded and scrubbed", async () => {
    const r = await curl(["--compressed", "-H", `x-api-key: ${PLACEHOLDER}`, "https://api.test/reflect?gzip=1"]);
    expect(r.status).toBe(200);
    expect(r.body).toContain(`first: ${PLACEHOLDER}`);
    expect(r.body).not.toContain(REAL_KEY.slice(30));
  });
});

describe.skipIf(!CURL)("no credential in cleartext", () => {
  test("plain HTTP to a route host is refused with the reason and the fix; the origin sees nothing", async () => {
    const before = up.seen.length;
    const r = await curl(["http://api.test/echo"]);
    expect(r.status).toBe(403);
    expect(r.body).toContain("never sent in cleartext");
    expect(r.body).toContain('upstream = "http://api.test"');
    expect(up.seen.length).toBe(before);
  });

  test("a route whose upstream is explicitly http:// still works", async () => {
    const before = plainUp.seen.length;
    const r = await curl(["http://plain.test/echo"]);
    expect(r.status).toBe(200);
    expect(plainUp.seen.length).toBe(before + 1);
    expect(plainUp.seen.at(-1)!.headers["x-api-key"]).toBe("plainREALxxxxxxxxxxxxxxxxxxxxxx");
  });
});

/** Open a WebSocket to `host` through the proxy; returns the socket after the 101. */
async function wsOpen(host: string, key = PLACEHOLDER): Promise<{ sock: TLSSocket; head: string; rest: Buffer }> {
  const sock = await tlsThrough(host);
  sock.write(
    `GET /ws HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Key: ${Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64")}\r\n` +
      `Sec-WebSocket-Extensions: permessage-deflate\r\nx-api-key: ${key}\r\n\r\n`,
  );
  let buf = Buffer.alloc(0);
  await new Promise<void>((resolve) => {
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.includes("\r\n\r\n")) {
        sock.off("data", onData);
        resolve();
      }
    };
    sock.on("data", onData);
  });
  const i = buf.indexOf("\r\n\r\n");
  return { sock, head: buf.subarray(0, i).toString("latin1"), rest: buf.subarray(i + 4) };
}

const mask = () => Buffer.from(crypto.getRandomValues(new Uint8Array(4)));

describe.skipIf(!CURL)("WebSocket frames are scanned and scrubbed", () => {
  test("a clean message is relayed; no extension is negotiated", async () => {
    const { sock, head } = await wsOpen("api.test");
    expect(head).toStartWith("HTTP/1.1 101");
    expect(head.toLowerCase()).not.toContain("permessage-deflate");
    const got = collect(sock, 1500);
    sock.write(encodeFrame(true, 1, Buffer.from("hello"), mask()));
    expect((await got).toString("latin1")).toContain("echo: hello");
    sock.destroy();
  });

  test("an AWS key split over three masked fragments closes the connection with 1008 and never reaches the origin", async () => {
    const { sock } = await wsOpen("api.test");
    const before = up.wsSeen.length;
    const got = collect(sock, 3000);
    const parts = [`note ${AWS.slice(0, 7)}`, AWS.slice(7, 15), `${AWS.slice(15)} done`];
    sock.write(encodeFrame(false, 1, Buffer.from(parts[0]!), mask()));
    sock.write(encodeFrame(false, 0, Buffer.from(parts[1]!), mask()));
    sock.write(encodeFrame(true, 0, Buffer.from(parts[2]!), mask()));
    const reply = await got;
    // A close frame (opcode 8) with status 1008 and a readable reason.
    const at = reply.indexOf(0x88);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(reply.readUInt16BE(at + 2)).toBe(1008);
    expect(reply.toString("latin1")).toContain("AWS access key");
    expect(up.wsSeen.length).toBe(before);
    expect(JSON.stringify(up.wsSeen)).not.toContain(AWS);
  });

  test("a base64 key in a binary message is caught too", async () => {
    const { sock } = await wsOpen("api.test");
    const got = collect(sock, 3000);
    sock.write(encodeFrame(true, 2, Buffer.from(Buffer.from("x=" + AWS).toString("base64")), mask()));
    const reply = await got;
    expect(reply.readUInt16BE(reply.indexOf(0x88) + 2)).toBe(1008);
  });

  test("the server reflecting the real key in a frame: the agent sees the placeholder", async () => {
    const { sock } = await wsOpen("api.test");
    const got = collect(sock, 1500);
    sock.write(encodeFrame(true, 1, Buffer.from("reflect"), mask()));
    const reply = (await got).toString("latin1");
    expect(reply).toContain(`your key is ${PLACEHOLDER}`);
    expect(reply).not.toContain(REAL_KEY);
    sock.destroy();
  });
});

describe.skipIf(!CURL)("misbehaving clients", () => {
  test("trickled heads are dropped after the head timeout while well-behaved requests keep working", async () => {
    const slow: Socket[] = [];
    for (let i = 0; i < 40; i++) {
      const s = netConnect(proxy.address.port, "127.0.0.1");
      s.on("error", () => {});
      s.write("GET http://");
      slow.push(s);
    }
    const trickle = setInterval(() => slow.forEach((s) => s.write("a")), 500);
    try {
      for (let i = 0; i < 5; i++) expect((await curl([`${up.url}/hello`])).status).toBe(200);
      // All 40 are cut by the head timeout, not held forever.
      const closed = await Promise.all(slow.map((s) => new Promise<boolean>((r) => (s.destroyed ? r(true) : s.once("close", () => r(true))))));
      expect(closed.every(Boolean)).toBe(true);
    } finally {
      clearInterval(trickle);
      slow.forEach((s) => s.destroy());
    }
    expect(readAudit(auditFile).some((r) => r.reason?.includes("did not complete in time"))).toBe(true);
  }, 40_000);
});

describe.skipIf(!CURL)("WebSocket: large server frames stream through", () => {
  test("a 3 MiB binary echo arrives whole (not held in one buffer)", async () => {
    const { sock } = await wsOpen("api.test");
    const big = Buffer.alloc(3 * 1024 * 1024, 0x41);
    let got = Buffer.alloc(0);
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 15_000);
      sock.on("data", (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (got.length >= big.length + 10) (clearTimeout(timer), resolve());
      });
    });
    sock.write(encodeFrame(true, 2, big, mask()));
    await done;
    expect(got[0], got.subarray(0, 120).toString("latin1")).toBe(0x82);
    expect(got.length).toBe(big.length + 10);
    sock.destroy();
  }, 30_000);
});

describe.skipIf(!CURL)("connection slots", () => {
  test("a client holding every slot with idle connections does not lock others out: the longest-waiting are shed", async () => {
    const { MAX_CLIENT_CONNECTIONS } = await import("../../src/bundle/proxy/server.ts");
    const hogs: Socket[] = [];
    for (let i = 0; i < MAX_CLIENT_CONNECTIONS + 20; i++) {
      const s = netConnect(proxy.address.port, "127.0.0.1");
      s.on("error", () => {});
      hogs.push(s);
    }
    await Bun.sleep(1500);
    try {
      for (let i = 0; i < 3; i++) expect((await curl([`${up.url}/hello`])).status).toBe(200);
      expect(hogs.filter((s) => s.destroyed || s.readyState === "closed").length).toBeGreaterThan(0);
    } finally {
      hogs.forEach((s) => s.destroy());
    }
  }, 40_000);
});
