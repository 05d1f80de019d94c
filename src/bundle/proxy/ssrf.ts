// Pure: classify an IP address as private/special (SSRF targets). Checked
// after DNS resolution, on the address we then connect to, so a public name
// that resolves to 169.254.169.254 or 10.x is refused too.
import { isIP } from "node:net";
import { normalizeHost } from "./allowlist.ts";

function v4Octets(ip: string): number[] {
  return ip.split(".").map(Number);
}

function classifyV4(ip: string): string | undefined {
  const [a = 0, b = 0, c = 0] = v4Octets(ip);
  if (a === 169 && b === 254 && c === 169) return "cloud metadata address";
  if (a === 127) return "loopback address";
  if (a === 0) return "unspecified address";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private (RFC 1918) address";
  if (a === 169 && b === 254) return "link-local address";
  if (a === 100 && b >= 64 && b <= 127) return "carrier-grade NAT (CGNAT) address";
  if (a === 192 && b === 0 && c === 0) return "IETF protocol address";
  if (a === 198 && (b === 18 || b === 19)) return "benchmarking network address";
  if (a >= 224) return "multicast or reserved address";
  return undefined;
}

/** Expand an IPv6 literal to 8 groups. */
export function ipv6Groups(ip: string): number[] {
  let s = ip.toLowerCase();
  const pct = s.indexOf("%");
  if (pct >= 0) s = s.slice(0, pct);
  // Trailing dotted quad (::ffff:1.2.3.4) → two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = v4Octets(dotted[1]!);
    s = s.slice(0, -dotted[1]!.length) + ((a << 8) | b).toString(16) + ":" + ((c << 8) | d).toString(16);
  }
  const [head, tail] = s.includes("::") ? s.split("::") : [s, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const parts = tail === undefined ? h : [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill("0"), ...t];
  return parts.map((p) => parseInt(p || "0", 16));
}

function embeddedV4(g: number[]): string {
  return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join(".");
}

function classifyV6(ip: string): string | undefined {
  const g = ipv6Groups(ip);
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(7) && g[7] === 1) return "loopback address";
  if (zeroTo(8)) return "unspecified address";
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96) carry a v4 address.
  if (zeroTo(5) && g[5] === 0xffff) return classifyV4(embeddedV4(g));
  if (zeroTo(6)) return classifyV4(embeddedV4(g));
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return classifyV4(embeddedV4(g));
  const first = g[0]!;
  if ((first & 0xffc0) === 0xfe80) return "link-local address";
  if ((first & 0xfe00) === 0xfc00) return "unique local (ULA) address";
  if ((first & 0xff00) === 0xff00) return "multicast address";
  if (first === 0xfec0) return "site-local address";
  if (first === 0xfd00 && g[1] === 0xec2) return "cloud metadata address";
  return undefined;
}

/** Why this IP must not be dialled when private addresses are blocked, or undefined when it is public. */
export function privateAddressReason(ip: string): string | undefined {
  const h = normalizeHost(ip);
  const v = isIP(h);
  if (v === 4) return classifyV4(h);
  if (v === 6) return classifyV6(h);
  return "not an IP address";
}

/** Is host or its resolved IP named in allowPrivate? */
export function privateAllowed(allowPrivate: readonly string[] | undefined, host: string, ip: string): boolean {
  if (!allowPrivate?.length) return false;
  const names = new Set(allowPrivate.map(normalizeHost));
  return names.has(normalizeHost(host)) || names.has(normalizeHost(ip));
}
