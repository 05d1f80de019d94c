import { describe, expect, test } from "bun:test";
import {
  blockCount,
  bottleSubnet,
  bundleSubnet,
  DEFAULT_SUBNET_POOL,
  firstBlock,
  fnv1a,
  formatCidr,
  freeBlocks,
  overlaps,
  parseCidr,
  parsePool,
  parseProcRoutes,
  poolExhausted,
  poolFromBase,
} from "../../../src/plan/subnet.ts";
import { BottleError } from "../../../src/util/errors.ts";

const thrown = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as BottleError;
  }
  throw new Error("expected a throw");
};

describe("fnv1a", () => {
  test.each([
    ["", 0x811c9dc5],
    ["a", 0xe40c292c],
    ["foobar", 0xbf9cf968],
  ])("hashes %p to the published FNV-1a 32-bit value", (s, h) => {
    expect(fnv1a(s)).toBe(h);
  });
});

describe("pool parsing", () => {
  test.each(["10.213.0.0/16", "172.20.0.0/14", "192.168.64.0/20", "100.64.0.0/10", "10.0.0.0/8", "10.1.2.0/28"])("%s is a pool", (p) => {
    expect(formatCidr(parsePool(p))).toBe(p);
  });

  test.each([
    ["10.213.0.0", "not an IPv4 CIDR"],
    ["10.213/16", "not an IPv4 CIDR"],
    ["10.213.0.0/33", "not an IPv4 CIDR"],
    ["10.300.0.0/16", "not an IPv4 CIDR"],
    ["fd00::/64", "not an IPv4 CIDR"],
    ["10.213.1.0/16", "host bits set (did you mean 10.213.0.0/16?)"],
    ["10.213.0.0/29", "smaller than one bottle's /28"],
    ["8.8.0.0/16", "not a private range"],
    ["172.0.0.0/8", "not a private range"],
  ])("%s is refused: %s", (p, why) => {
    const e = thrown(() => parsePool(p));
    expect(e.code).toBe("CONFIG");
    expect(e.message).toContain(why);
    expect(e.hint).toContain("subnet_pool");
  });

  test("the older two-octet base names its /16", () => expect(poolFromBase("10.213")).toBe(DEFAULT_SUBNET_POOL));
  test("a /16 holds 4096 bottles", () => expect(blockCount(parsePool("10.213.0.0/16"))).toBe(4096));
});

describe("bottleSubnet", () => {
  test("one /28 per bottle: internal /29 (gateway .1, bundle .2, agent .3), egress /29 after it", () => {
    expect(bottleSubnet("10.213.0.0/16", 0)).toEqual({
      pool: "10.213.0.0/16",
      block: 0,
      cidr: "10.213.0.0/29",
      gateway: "10.213.0.1",
      bundleIp: "10.213.0.2",
      agentIp: "10.213.0.3",
      egressCidr: "10.213.0.8/29",
      egressGateway: "10.213.0.9",
    });
    expect(bottleSubnet("10.213.0.0/16", 17)).toMatchObject({ cidr: "10.213.1.16/29", bundleIp: "10.213.1.18", egressCidr: "10.213.1.24/29" });
    expect(bottleSubnet("10.213.0.0/16", 4095)).toMatchObject({ cidr: "10.213.255.240/29", egressCidr: "10.213.255.248/29" });
  });

  test("a block outside the pool is a bug, not a subnet", () => {
    expect(thrown(() => bottleSubnet("10.213.0.0/16", 4096)).code).toBe("INTERNAL");
    expect(thrown(() => bottleSubnet("10.213.0.0/16", -1)).code).toBe("INTERNAL");
  });

  test("the first block follows the identity: stable, and spread over the pool", () => {
    expect(bundleSubnet("dev-abc123")).toEqual(bundleSubnet("dev-abc123"));
    expect(bundleSubnet("dev-abc123", "172.30.0.0/16").block).toBe(firstBlock("dev-abc123", "172.30.0.0/16"));
    const blocks = new Set(Array.from({ length: 200 }, (_, i) => firstBlock(`dev-${i.toString(36).padStart(6, "0")}`, DEFAULT_SUBNET_POOL)));
    // 200 identities over 4096 blocks: a good hash leaves only a handful of collisions.
    expect(blocks.size).toBeGreaterThan(190);
  });
});

describe("freeBlocks (collisions with existing networks)", () => {
  const pool = "10.213.0.0/24"; // 16 blocks
  const c = (s: string) => parseCidr(s)!;

  test("walks from the start, wrapping, skipping anything overlapping", () => {
    expect(freeBlocks(pool, [], 14, 4)).toEqual([14, 15, 0, 1]);
    expect(freeBlocks(pool, [c("10.213.0.224/28"), c("10.213.0.8/29")], 14, 3)).toEqual([15, 1, 2]);
  });

  test("a network larger than a block takes every block it covers; one outside the pool takes none", () => {
    expect(freeBlocks(pool, [c("10.213.0.0/26")], 0, 2)).toEqual([4, 5]);
    expect(freeBlocks(pool, [c("10.214.0.0/16"), c("172.17.0.0/16")], 0, 1)).toEqual([0]);
  });

  test("a route covering the whole pool exhausts it", () => {
    expect(freeBlocks(pool, [c("10.0.0.0/8")], 3, 5)).toEqual([]);
  });

  test("exhaustion, block by block", () => {
    const taken = Array.from({ length: 16 }, (_, i) => c(`10.213.0.${i * 16}/28`));
    expect(freeBlocks(pool, taken.slice(1), 5, 3)).toEqual([0]);
    expect(freeBlocks(pool, taken, 5, 3)).toEqual([]);
    const e = poolExhausted(pool, 16);
    expect(e.message).toContain("subnet pool 10.213.0.0/24 is exhausted");
    expect(e.hint).toContain("subnet_pool");
  });

  test("overlaps is symmetric and prefix-aware", () => {
    expect(overlaps(c("10.0.0.0/8"), c("10.213.5.8/29"))).toBe(true);
    expect(overlaps(c("10.213.5.8/29"), c("10.0.0.0/8"))).toBe(true);
    expect(overlaps(c("10.213.5.0/29"), c("10.213.5.8/29"))).toBe(false);
  });
});

test("parseProcRoutes reads /proc/net/route, skipping the default route", () => {
  const text = [
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
    "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
    "br-1\t0010A8C0\t00000000\t0001\t0\t0\t0\t00F0FFFF\t0\t0\t0",
    "tun0\t0A0A0A0A\t00000000\t0001\t0\t0\t0\tFFFFFFFF\t0\t0\t0",
    "garbage",
  ].join("\n");
  expect(parseProcRoutes(text).map(formatCidr)).toEqual(["172.17.0.0/16", "192.168.16.0/20", "10.10.10.10/32"]);
});
