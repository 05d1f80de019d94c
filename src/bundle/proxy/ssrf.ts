// Pure: classify an IP address as private/special (SSRF targets). Checked
// after DNS resolution, on the address we then connect to, so a public name
// that resolves to 169.254.169.254 or 10.x is refused too.
//
// The address classes come from ipaddr.js (its IANA special-purpose tables,
// kept up to date upstream) rather than a hand-written list: it also knows the
// ranges a hand-written list tends to miss (6to4, Teredo, RFC 8215 NAT64,
// 2001::/23, TEST-NETs, 198.18/15). Anything that is not plain unicast is
// refused; addresses that embed an IPv4 address are judged by that address.
import ipaddr from "ipaddr.js";
import { normalizeHost } from "./allowlist.ts";

const V4_REASONS: Record<string, string> = {
  unspecified: "unspecified address",
  broadcast: "broadcast address",
  multicast: "multicast address",
  linkLocal: "link-local address",
  loopback: "loopback address",
  carrierGradeNat: "carrier-grade NAT (CGNAT) address",
  private: "private (RFC 1918) address",
};

const V6_REASONS: Record<string, string> = {
  unspecified: "unspecified address",
  linkLocal: "link-local address",
  multicast: "multicast address",
  loopback: "loopback address",
  uniqueLocal: "unique local (ULA) address",
  deprecatedSiteLocal: "site-local address",
  teredo: "Teredo tunnel address",
};

function classifyV4(a: ipaddr.IPv4): string | undefined {
  const [o1, o2, o3] = a.octets;
  // Before link-local: the metadata service is the target that matters.
  if (o1 === 169 && o2 === 254 && o3 === 169) return "cloud metadata address";
  const range = a.range();
  if (range === "unicast") return undefined;
  return V4_REASONS[range] ?? `reserved address (${range})`;
}

/** The IPv4 address an IPv6 one carries (mapped, translated, NAT64, 6to4, the deprecated compatible form), if any. */
function embeddedV4(a: ipaddr.IPv6, range: string): ipaddr.IPv4 | undefined {
  const p = a.parts;
  const last32 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  if (range === "ipv4Mapped" || range === "rfc6145" || range === "rfc6052") return last32(p[6]!, p[7]!);
  if (range === "6to4") return last32(p[1]!, p[2]!);
  // ::a.b.c.d (IPv4-compatible): no special range of its own, all zeros up front.
  if (p.slice(0, 6).every((x) => x === 0) && (p[6] !== 0 || p[7]! > 1)) return last32(p[6]!, p[7]!);
  return undefined;
}

function classifyV6(a: ipaddr.IPv6): string | undefined {
  const p = a.parts;
  if (p[0] === 0xfd00 && p[1] === 0x0ec2) return "cloud metadata address";
  const range = a.range();
  const v4 = embeddedV4(a, range);
  if (v4) {
    const inner = classifyV4(v4);
    if (inner) return inner;
    // A public IPv4 behind a translation prefix is that host; tunnels (6to4) are refused outright.
    return range === "6to4" ? "6to4 tunnel address" : undefined;
  }
  if (range === "unicast") return undefined;
  return V6_REASONS[range] ?? `reserved address (${range})`;
}

/** Why this IP must not be dialled when private addresses are blocked, or undefined when it is public. */
export function privateAddressReason(ip: string): string | undefined {
  const h = normalizeHost(ip).replace(/%.*$/, "");
  // Only the strict forms: "127.1" or "0x7f.0.0.1" are not what DNS returns, and are refused as not an IP.
  if (ipaddr.IPv4.isValidFourPartDecimal(h)) return classifyV4(ipaddr.IPv4.parse(h));
  if (ipaddr.IPv6.isValid(h)) return classifyV6(ipaddr.IPv6.parse(h));
  return "not an IP address";
}

/** Is host or its resolved IP named in allowPrivate? */
export function privateAllowed(allowPrivate: readonly string[] | undefined, host: string, ip: string): boolean {
  if (!allowPrivate?.length) return false;
  const names = new Set(allowPrivate.map(normalizeHost));
  return names.has(normalizeHost(host)) || names.has(normalizeHost(ip));
}
