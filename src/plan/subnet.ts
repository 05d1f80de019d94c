// Pure: every bottle's two networks come from bot-bottle's own address pool
// (`subnet_pool`, default 10.213.0.0/16), never from the docker daemon's
// default pools (about 30 networks on a default daemon). A bottle takes one
// /28 block: the internal network is its first /29 (gateway .1, bundle .2,
// agent .3), the egress network its second /29. A /16 holds 4096 bottles.
//
// The first block tried is derived from the identity, so concurrent launches
// spread over the pool; the backend skips blocks that overlap networks it
// knows of and lets docker (which refuses an overlapping --subnet) settle races.
import { BottleError } from "../util/errors.ts";

export const DEFAULT_SUBNET_POOL = "10.213.0.0/16";
/** One bottle's block: two /29s. */
export const BLOCK_PREFIX = 28;
const NET_PREFIX = 29;
const POOL_HINT = "set subnet_pool in config.toml (or BOT_BOTTLE_SUBNET_POOL) to a private IPv4 range such as 10.213.0.0/16";

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  start: number;
  prefix: number;
}

export interface BottleSubnet {
  /** The pool this came from (kept in the plan: resume and retries stay in it). */
  pool: string;
  /** Index of the /28 block in the pool. */
  block: number;
  /** Internal network (agent ↔ bundle). */
  cidr: string;
  gateway: string;
  bundleIp: string;
  agentIp: string;
  /** Egress network (bundle ↔ outside). */
  egressCidr: string;
  egressGateway: string;
}

export function ipToInt(ip: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip.trim());
  if (!m) return null;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

const mask = (prefix: number) => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** "10.1.2.0/24" → Cidr, or null when it is not an IPv4 CIDR (host bits are cleared). */
export function parseCidr(text: string): Cidr | null {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return null;
  const ip = ipToInt(m[1]!);
  const prefix = Number(m[2]);
  if (ip === null || prefix > 32) return null;
  return { start: (ip & mask(prefix)) >>> 0, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.start)}/${c.prefix}`;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.start & mask(p)) >>> 0) === ((b.start & mask(p)) >>> 0);
}

const PRIVATE: Cidr[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map((c) => parseCidr(c)!);

/** Validate the pool setting: a private IPv4 range, aligned, large enough for one bottle. */
export function parsePool(text: string): Cidr {
  const c = parseCidr(text);
  const ip = ipToInt(text.split("/")[0] ?? "");
  const bad = (why: string) => new BottleError("CONFIG", `subnet pool "${text}" ${why}`, { hint: POOL_HINT });
  if (!c || ip === null) throw bad("is not an IPv4 CIDR such as 10.213.0.0/16");
  if (c.start !== ip) throw bad(`has host bits set (did you mean ${formatCidr(c)}?)`);
  if (c.prefix > BLOCK_PREFIX) throw bad(`is smaller than one bottle's /${BLOCK_PREFIX}`);
  if (!PRIVATE.some((p) => p.prefix <= c.prefix && overlaps(p, c))) {
    throw bad("is not a private range (10/8, 172.16/12, 192.168/16, 100.64/10): the bottles would shadow real addresses");
  }
  return c;
}

/** The old two-octet setting ("10.213") names the /16 it always meant. */
export function poolFromBase(base: string): string {
  return `${base}.0.0/16`;
}

export function blockCount(pool: Cidr): number {
  return 2 ** (BLOCK_PREFIX - pool.prefix);
}

export function blockCidr(pool: Cidr, block: number): Cidr {
  return { start: (pool.start + block * 2 ** (32 - BLOCK_PREFIX)) >>> 0, prefix: BLOCK_PREFIX };
}

/** Addresses of block `block` of `pool`. */
export function bottleSubnet(poolText: string, block: number): BottleSubnet {
  const pool = parsePool(poolText);
  const n = blockCount(pool);
  if (!Number.isInteger(block) || block < 0 || block >= n) throw new BottleError("INTERNAL", `block ${block} is outside ${poolText} (${n} blocks)`);
  const base = blockCidr(pool, block).start;
  const egress = base + 2 ** (32 - NET_PREFIX);
  return {
    pool: formatCidr(pool),
    block,
    cidr: `${intToIp(base)}/${NET_PREFIX}`,
    gateway: intToIp(base + 1),
    bundleIp: intToIp(base + 2),
    agentIp: intToIp(base + 3),
    egressCidr: `${intToIp(egress)}/${NET_PREFIX}`,
    egressGateway: intToIp(egress + 1),
  };
}

/** FNV-1a 32-bit: tiny, stable across runtimes. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** murmur3's finaliser: FNV-1a alone maps slugs that differ in their last character to neighbouring residues. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The block a bottle tries first: spread by identity, so concurrent launches rarely meet. */
export function firstBlock(identity: string, poolText: string): number {
  return mix32(fnv1a(identity)) % blockCount(parsePool(poolText));
}

/** A plan's first choice: block firstBlock(identity) of the pool. */
export function bundleSubnet(identity: string, poolText = DEFAULT_SUBNET_POOL): BottleSubnet {
  return bottleSubnet(poolText, firstBlock(identity, poolText));
}

/**
 * Up to `limit` blocks, walking from `start` (wrapping), that overlap none of
 * `taken` (existing networks, host routes). Empty: the pool is exhausted.
 */
export function freeBlocks(poolText: string, taken: Cidr[], start: number, limit: number): number[] {
  const pool = parsePool(poolText);
  const n = blockCount(pool);
  // Only what lies in the pool matters; a route covering the whole pool (rare) blocks everything.
  const inPool = taken.filter((t) => overlaps(t, pool));
  const out: number[] = [];
  for (let i = 0; i < n && out.length < limit; i++) {
    const b = (start + i) % n;
    const c = blockCidr(pool, b);
    if (!inPool.some((t) => overlaps(t, c))) out.push(b);
  }
  return out;
}

/** The error when nothing is left: it names the setting that fixes it. */
export function poolExhausted(poolText: string, inUse: number): BottleError {
  return new BottleError("DOCKER", `the subnet pool ${poolText} is exhausted: ${inUse} networks on this host overlap it and no /${BLOCK_PREFIX} is free`, {
    hint: `remove unused bottles (\`bot-bottle gc\`), or ${POOL_HINT.replace("to a private IPv4 range such as 10.213.0.0/16", "to a larger or another private range")}`,
  });
}

/** Little-endian hex as /proc/net/route writes addresses: "0011A8C0" → 192.168.17.0. */
function procHex(h: string): number | null {
  if (!/^[0-9A-Fa-f]{8}$/.test(h)) return null;
  const le = parseInt(h, 16);
  return (((le & 255) << 24) | (((le >>> 8) & 255) << 16) | (((le >>> 16) & 255) << 8) | (le >>> 24)) >>> 0;
}

/** Routes of the host (Linux /proc/net/route) but the default route: networks a bottle must not shadow. */
export function parseProcRoutes(text: string): Cidr[] {
  const out: Cidr[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const dest = procHex(f[1]!);
    const m = procHex(f[7]!);
    if (dest === null || m === null || m === 0) continue;
    // Leading ones of the mask: clz32 of its complement.
    out.push({ start: dest, prefix: Math.clz32(~m >>> 0) });
  }
  return out;
}
