// Blind (not intercepted) CONNECT tunnels: before joining the two sockets,
// read the client's first TLS record and refuse it when its SNI names another
// server than the CONNECT host (domain fronting through an allowed front).
import type { Socket } from "node:net";
import { isIP } from "node:net";
import { parseClientHello } from "./client-hello.ts";
import type { SocketReader } from "./reader.ts";

const HELLO_TIMEOUT_MS = 15_000;
const HELLO_MAX = 20 * 1024;

export type HelloOutcome = { ok: true; first: Buffer } | { ok: false; decision: "block" | "error"; reason: string };

/**
 * Read the client's opening bytes. TLS must name the CONNECT host in SNI (or
 * no name for an IP host); port 443 must carry TLS; other ports the allowlist
 * names explicitly may carry any protocol (ssh, database wire protocols).
 */
export async function checkTunnelHello(reader: SocketReader, host: string, port: number): Promise<HelloOutcome> {
  const parts: Buffer[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), HELLO_TIMEOUT_MS)));
  try {
    for (let n = 0; n < HELLO_MAX; ) {
      const b = await Promise.race([reader.readSome(HELLO_MAX - n), timeout]);
      if (b === "timeout") return { ok: false, decision: "error", reason: "no TLS ClientHello within 15 s" };
      if (!b) return { ok: false, decision: "error", reason: "client closed the tunnel before sending anything" };
      parts.push(b);
      n += b.length;
      const first = Buffer.concat(parts);
      const hello = parseClientHello(first);
      if (hello.state === "incomplete") continue;
      if (hello.state === "not-tls") {
        return port === 443 ? { ok: false, decision: "block", reason: "tunnel to port 443 does not start with TLS" } : { ok: true, first };
      }
      if (hello.state === "malformed") return { ok: false, decision: "block", reason: `unreadable TLS ClientHello: ${hello.reason}` };
      const sniOk = hello.sni === undefined ? isIP(host) !== 0 : hello.sni === host;
      if (!sniOk) return { ok: false, decision: "block", reason: `TLS SNI ${JSON.stringify(hello.sni ?? "")} does not match the CONNECT host` };
      return { ok: true, first };
    }
    return { ok: false, decision: "block", reason: "TLS ClientHello too large" };
  } catch (e) {
    return { ok: false, decision: "error", reason: (e as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Join client and origin byte for byte until either side closes. */
export function joinSockets(client: Socket, reader: SocketReader, up: Socket, first: Buffer): void {
  const early = reader.detach();
  up.write(first);
  if (early.length) up.write(early);
  const done = () => {
    client.destroy();
    up.destroy();
  };
  for (const s of [client, up]) {
    s.on("error", done);
    s.on("close", done);
  }
  client.pipe(up);
  up.pipe(client);
  client.resume();
}
