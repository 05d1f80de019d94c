// "host:port" listen addresses of the bundle daemons, and a free-port probe
// for port 0, since git daemon cannot report the port it was given.
import { BottleError } from "../../util/errors.ts";

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(listen.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new BottleError("INTERNAL", `bad listen address "${listen}"`, { hint: 'use "host:port", e.g. "0.0.0.0:9418"' });
  }
  return { host: (m[1] ?? m[2])!, port };
}

/** A port free on host right now (bind to 0, read it, release it). */
export function freePort(host: string): number {
  const probe = Bun.listen({ hostname: host, port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}
