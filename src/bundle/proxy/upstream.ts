// Dialling the real server: resolve the name, refuse private addresses when
// SSRF protection is on, then connect to the address we checked (not the name
// again, so a second DNS answer cannot swap in 10.0.0.1), with TLS verified
// against the system roots plus an optional extra CA (corporate gateways, tests).
import { lookup } from "node:dns/promises";
import { connect as netConnect, isIP, type Socket } from "node:net";
import { connect as tlsConnect, rootCertificates, type TLSSocket } from "node:tls";
import { privateAddressReason, privateAllowed } from "./ssrf.ts";

export const CONNECT_TIMEOUT_MS = 10_000;

export class RefusedAddress extends Error {
  constructor(readonly host: string, readonly ip: string, readonly why: string) {
    super(`${host} resolves to ${ip}, a ${why}`);
  }
}

export class UpstreamError extends Error {}

export interface DialPolicy {
  blockPrivate: boolean;
  allowPrivate?: readonly string[];
  /** Extra PEM CA trusted for upstream TLS besides the system roots. */
  extraCaPem?: string;
}

export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** The address to dial for host; every resolved address must pass when private ones are blocked. */
export async function resolveChecked(host: string, policy: DialPolicy, resolve: Resolver = systemResolver): Promise<string> {
  return (await resolveAllChecked(host, policy, resolve))[0]!;
}

/** Every address of host, in resolver order, after the SSRF check of all of them. */
export async function resolveAllChecked(host: string, policy: DialPolicy, resolve: Resolver = systemResolver): Promise<string[]> {
  let addrs: string[];
  if (isIP(host)) addrs = [host];
  else {
    try {
      addrs = await resolve(host);
    } catch (e) {
      throw new UpstreamError(`cannot resolve ${host}: ${(e as Error).message}`);
    }
  }
  if (addrs.length === 0) throw new UpstreamError(`${host} has no addresses`);
  if (policy.blockPrivate) {
    for (const ip of addrs) {
      const why = privateAddressReason(ip);
      if (why && !privateAllowed(policy.allowPrivate, host, ip)) throw new RefusedAddress(host, ip, why);
    }
  }
  return addrs;
}

let caCache: { extra: string; cas: string[] } | undefined;
function trustedCas(extra: string): string[] {
  if (caCache?.extra !== extra) caCache = { extra, cas: [...rootCertificates, extra] };
  return caCache.cas;
}

/** Open a connection to host:port (TLS when asked), after the SSRF check; tries a few addresses in order (IPv6/IPv4). */
export async function dial(host: string, port: number, tls: boolean, policy: DialPolicy, resolve?: Resolver): Promise<Socket | TLSSocket> {
  const ips = (await resolveAllChecked(host, policy, resolve)).slice(0, 4);
  let last: Error | undefined;
  for (const ip of ips) {
    try {
      return await dialAddress(host, ip, port, tls, policy);
    } catch (e) {
      last = e as Error;
    }
  }
  throw last ?? new UpstreamError(`${host} has no addresses`);
}

function dialAddress(host: string, ip: string, port: number, tls: boolean, policy: DialPolicy): Promise<Socket | TLSSocket> {
  return new Promise((resolvePromise, reject) => {
    const sock = tls
      ? tlsConnect({
          host: ip,
          port,
          servername: isIP(host) ? undefined : host,
          ALPNProtocols: ["http/1.1"],
          ...(policy.extraCaPem ? { ca: trustedCas(policy.extraCaPem) } : {}),
        })
      : netConnect({ host: ip, port });
    const timer = setTimeout(() => fail(new UpstreamError(`connecting to ${host}:${port} timed out`)), CONNECT_TIMEOUT_MS);
    const fail = (e: Error) => {
      clearTimeout(timer);
      sock.destroy();
      reject(e instanceof UpstreamError ? e : new UpstreamError(`${host}:${port}: ${e.message}`));
    };
    sock.once("error", fail);
    sock.once(tls ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      sock.off("error", fail);
      sock.setNoDelay(true);
      resolvePromise(sock);
    });
  });
}
