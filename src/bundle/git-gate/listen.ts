// "host:port" listen addresses of the bundle daemons.
import { BottleError } from "../../util/errors.ts";

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(listen.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new BottleError("INTERNAL", `bad listen address "${listen}"`, { hint: 'use "host:port", e.g. "0.0.0.0:9418"' });
  }
  return { host: (m[1] ?? m[2])!, port };
}
