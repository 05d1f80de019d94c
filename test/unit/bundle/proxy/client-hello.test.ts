import { describe, expect, test } from "bun:test";
import { connect as tlsConnect } from "node:tls";
import { createServer } from "node:net";
import { parseClientHello } from "../../../../src/bundle/proxy/client-hello.ts";

/** The exact first bytes a real TLS client (node:tls) sends for a server name. */
async function realHello(servername?: string): Promise<Buffer> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  const got = new Promise<Buffer>((resolve) => {
    srv.once("connection", (s) => {
      const parts: Buffer[] = [];
      s.on("data", (d: Buffer) => {
        parts.push(d);
        const all = Buffer.concat(parts);
        if (all.length >= 5 && all.length >= 5 + all.readUInt16BE(3)) {
          s.destroy();
          resolve(all);
        }
      });
    });
  });
  const c = tlsConnect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false });
  c.on("error", () => {});
  const hello = await got;
  c.destroy();
  srv.close();
  return hello;
}

describe("parseClientHello", () => {
  test("reads the SNI of a real ClientHello", async () => {
    expect(parseClientHello(await realHello("API.Example.com"))).toEqual({ state: "hello", sni: "api.example.com" });
  });

  test("a hello without SNI", async () => {
    // node:tls sends no SNI for an IP literal.
    expect(parseClientHello(await realHello(undefined))).toEqual({ state: "hello" });
  });

  test("every strict prefix of a real hello is incomplete, never a wrong answer", async () => {
    const hello = await realHello("api.example.com");
    for (let n = 0; n < hello.length; n += 7) expect(parseClientHello(hello.subarray(0, n)).state).toBe("incomplete");
  });

  test.each([
    ["SSH banner", Buffer.from("SSH-2.0-OpenSSH_9.2\r\n"), "not-tls"],
    ["plain HTTP", Buffer.from("GET / HTTP/1.1\r\n"), "not-tls"],
    ["TLS alert record", Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]), "not-tls"],
    ["handshake that is not a ClientHello", Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00]), "malformed"],
    ["bogus record version", Buffer.from([0x16, 0x09, 0x01, 0x00, 0x01, 0x01]), "malformed"],
    ["oversized record", Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff]), "malformed"],
    ["ClientHello claiming more than the record", Buffer.from([0x16, 0x03, 0x01, 0x00, 0x06, 0x01, 0x00, 0x10, 0x00, 0x03, 0x03]), "malformed"],
  ])("%s → %s", (_why, bytes, state) => {
    expect(parseClientHello(bytes).state).toBe(state as never);
  });
});
