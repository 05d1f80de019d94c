// A CONNECT through the proxy under test, as an agent's client makes it.
import { connect as netConnect, type Socket } from "node:net";

/** CONNECT `host:port` through the proxy on loopback `proxyPort`; the raw tunnel socket once it answers 200 (rejects with its answer otherwise). */
export async function connectTunnel(proxyPort: number, host: string, port: number): Promise<Socket> {
  const sock = netConnect(proxyPort, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    let got = "";
    sock.once("error", reject);
    const onData = (d: Buffer) => {
      got += d.toString("latin1");
      if (!got.includes("\r\n\r\n")) return;
      sock.off("data", onData);
      got.startsWith("HTTP/1.1 200") ? resolve() : reject(new Error(got));
    };
    sock.on("data", onData);
    sock.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);
  });
  return sock;
}
