// Pure: a per-bottle /24 derived from the identity slug, so the same bottle
// always gets the same addresses (resume, gc) without storing them first.
//
// Collisions: 253 usable third octets means two live bottles share a subnet
// with probability ~1/253. Docker refuses an overlapping --subnet, so the
// backend retries with `attempt` 1, 2, … which walks to the next free octet.
import { BottleError } from "../util/errors.ts";

export const DEFAULT_SUBNET_BASE = "10.213";

export interface BottleSubnet {
  cidr: string;
  gateway: string;
  bundleIp: string;
  agentIp: string;
  thirdOctet: number;
}

/** FNV-1a 32-bit: tiny, stable across runtimes, good enough spread for 253 buckets. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** murmur3's finaliser: FNV-1a alone maps slugs that differ in their last character
 * to a few residues mod 253; mixing the bits spreads them over every octet. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Third octets in use: 1..254 minus 17 (docker's default bridge habit). */
const OCTETS: number[] = Array.from({ length: 254 }, (_, i) => i + 1).filter((o) => o !== 17);

/** Two octets, each 0..255: "10.213". */
export function isSubnetBase(base: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})$/.exec(base);
  return !!m && Number(m[1]) <= 255 && Number(m[2]) <= 255;
}

export function bundleSubnet(slug: string, attempt = 0, base = DEFAULT_SUBNET_BASE): BottleSubnet {
  if (!isSubnetBase(base)) {
    throw new BottleError("CONFIG", `subnet base must be two octets such as "10.213", got "${base}"`, {
      hint: "fix subnet_base in config.toml or BOT_BOTTLE_SUBNET_BASE",
    });
  }
  if (!Number.isInteger(attempt) || attempt < 0) throw new BottleError("INTERNAL", `subnet attempt must be a whole number >= 0, got ${attempt}`);
  const idx = (mix32(fnv1a(slug)) + attempt) % OCTETS.length;
  const o = OCTETS[idx]!;
  return {
    cidr: `${base}.${o}.0/24`,
    gateway: `${base}.${o}.1`,
    bundleIp: `${base}.${o}.2`,
    agentIp: `${base}.${o}.3`,
    thirdOctet: o,
  };
}
