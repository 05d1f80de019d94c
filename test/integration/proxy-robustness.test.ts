// The proxy must survive whatever a client or an origin does: garbage, huge
// heads, connections cut mid-request or mid-response, origins that vanish.
// After each abuse the same proxy must still serve a normal request.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { connect as netConnect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Daemon } from "../../src/bundle/config.ts";
import { readAudit } from "../../src/bundle/proxy/audit.ts";
import { startProxy, UPSTREAM_CA_ENV } from "../../src/bundle/proxy/server.ts";
import { startTestUpstream, type TestUpstream } from "../../scripts/bench/lib/upstream.ts";
import { missingPrograms, skipWhen } from "../helpers/skip.ts";

let dir: string;
let up: TestUpstream;
let proxy: Daemon;
let rude: Server;
let rudePort: number;

/** The agent side of these tests is curl, as in a real bottle. */
const NO_CURL = skipWhen("proxy integration tests", missingPrograms(["curl"]));

describe.skipIf(NO_CURL)("proxy robustness", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "bb-proxy-rob-"));
    up = await startTestUpstream(dir);
    // An origin that accepts, reads a little, and hangs up without answering.
    rude = createServer((s) => s.once("data", () => s.destroy()));
    await new Promise<void>((r) => rude.listen(0, "127.0.0.1", () => r()));
    rudePort = (rude.address() as { port: number }).port;
    proxy = await startProxy(
      {
        listen: "127.0.0.1:0",
        allow: [`localhost:${up.port}`, `127.0.0.1:${rudePort}`, `localhost:1`],
        dlp: true,
        routes: [],
        secretEnv: [],
        caDir: join(dir, "ca"),
        auditLog: join(dir, "audit.jsonl"),
        blockPrivate: true,
        allowPrivate: ["localhost", "127.0.0.1"],
      },
      { [UPSTREAM_CA_ENV]: up.caFile },
    );
  });

  afterAll(async () => {
    await proxy?.close();
    await up?.close();
    rude?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function raw(bytes: string | Buffer, opts: { cutAfterMs?: number } = {}): Promise<string> {
    const sock = netConnect(proxy.address.port, "127.0.0.1");
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => (sock.destroy(), resolve()), opts.cutAfterMs ?? 5000);
      sock.on("data", (d: Buffer) => chunks.push(d));
      sock.on("close", () => (clearTimeout(timer), resolve()));
      sock.on("error", () => (clearTimeout(timer), resolve()));
      sock.write(bytes);
    });
    return Buffer.concat(chunks).toString("latin1");
  }

  async function stillServes(): Promise<void> {
    const p = Bun.spawn(["curl", "-sS", "--max-time", "10", "--cacert", join(dir, "ca", "ca.crt"), "-x", `http://127.0.0.1:${proxy.address.port}`, `${up.url}/hello`]);
    expect(await new Response(p.stdout).text()).toBe("hello\n");
  }

  test.each([
    ["binary garbage", Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x00, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a])],
    ["a TLS ClientHello sent straight to the proxy", Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]), Buffer.alloc(64, 1)])],
    ["an HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"],
    ["a head larger than 64 KiB", "GET http://x/ HTTP/1.1\r\nX: " + "a".repeat(70_000) + "\r\n\r\n"],
    ["CONNECT without a port", "CONNECT example.com HTTP/1.1\r\n\r\n"],
    ["origin-form request to the proxy", "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"],
  ])("%s gets a 400 or a close, and the proxy keeps serving", async (_why, bytes) => {
    const reply = await raw(bytes);
    expect(reply === "" || reply.startsWith("HTTP/1.1 400")).toBe(true);
    await stillServes();
  });

  test("a client that disconnects in the middle of a request body", async () => {
    await raw(`POST http://localhost:${up.port}/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\npartial`, { cutAfterMs: 200 });
    await stillServes();
  });

  test("a client that disconnects right after CONNECT, before TLS", async () => {
    await raw(`CONNECT localhost:${up.port} HTTP/1.1\r\nHost: localhost:${up.port}\r\n\r\n`, { cutAfterMs: 100 });
    await stillServes();
  });

  test("a client that hangs up during a streaming response", async () => {
    const p = Bun.spawn(["curl", "-sS", "-N", "--max-time", "1", "--cacert", join(dir, "ca", "ca.crt"), "-x", `http://127.0.0.1:${proxy.address.port}`, `${up.url}/sse?n=20&gap=300`]);
    await p.exited;
    await stillServes();
  });

  test("an origin that hangs up without answering gives a 502", async () => {
    const reply = await raw(`GET http://127.0.0.1:${rudePort}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(reply).toStartWith("HTTP/1.1 502");
    expect(reply).toContain("could not reach 127.0.0.1");
    await stillServes();
  });

  test("an origin that refuses connections gives a 502", async () => {
    const reply = await raw(`GET http://localhost:1/ HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    expect(reply).toStartWith("HTTP/1.1 502");
    await stillServes();
  });

  test("a chunked request body over the scan limit is refused, not forwarded", async () => {
    // A chunked body has no length up front: the proxy counts while buffering and gives up past the cap.
    const chunk = Buffer.alloc(1024 * 1024, "a");
    const sock = netConnect(proxy.address.port, "127.0.0.1");
    const got: Buffer[] = [];
    sock.on("data", (d: Buffer) => got.push(d));
    sock.on("error", () => {});
    sock.write(`POST http://localhost:${up.port}/echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n`);
    for (let i = 0; i < 9 && !sock.destroyed; i++) {
      sock.write(chunk.length.toString(16) + "\r\n");
      sock.write(chunk);
      sock.write("\r\n");
      await Bun.sleep(20);
    }
    for (let i = 0; i < 100 && !Buffer.concat(got).includes("\r\n\r\n"); i++) await Bun.sleep(50);
    sock.destroy();
    const reply = Buffer.concat(got).toString("latin1");
    expect(reply).toStartWith("HTTP/1.1 403");
    expect(reply).toContain("scan limit");
    await stillServes();
  });

  test("errors are audited as decisions too", () => {
    const recs = readAudit(join(dir, "audit.jsonl"));
    expect(recs.some((r) => r.decision === "error" && r.status === 400)).toBe(true);
    expect(recs.some((r) => r.decision === "error" && r.status === 502)).toBe(true);
  });
});
