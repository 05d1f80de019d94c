import { describe, expect, test } from "bun:test";
import { bundleSubnet, DEFAULT_SUBNET_BASE, fnv1a, isSubnetBase } from "../../../src/plan/subnet.ts";
import { thrown } from "../../helpers/thrown.ts";

describe("fnv1a", () => {
  test.each([
    ["", 0x811c9dc5],
    ["a", 0xe40c292c],
    ["foobar", 0xbf9cf968],
  ])("hashes %p to the published FNV-1a 32-bit value", (s, h) => {
    expect(fnv1a(s)).toBe(h);
  });
});

describe("bundleSubnet", () => {
  test.each(["dev-aaaaaa", "coder-9x8y7z", "demo-000000", "a-b"])("%p gets a /24 with gateway .1, bundle .2, agent .3", (slug) => {
    const s = bundleSubnet(slug);
    const o = s.thirdOctet;
    expect(s.cidr).toBe(`${DEFAULT_SUBNET_BASE}.${o}.0/24`);
    expect(s.gateway).toBe(`${DEFAULT_SUBNET_BASE}.${o}.1`);
    expect(s.bundleIp).toBe(`${DEFAULT_SUBNET_BASE}.${o}.2`);
    expect(s.agentIp).toBe(`${DEFAULT_SUBNET_BASE}.${o}.3`);
    expect(s.cidr).toMatch(/^\d+\.\d+\.\d+\.0\/24$/);
  });

  test("is deterministic: the same slug always gets the same subnet", () => {
    expect(bundleSubnet("dev-abc123")).toEqual(bundleSubnet("dev-abc123"));
    expect(bundleSubnet("dev-abc123", 3, "172.30")).toEqual(bundleSubnet("dev-abc123", 3, "172.30"));
  });

  test("third octet is always in 1..254 and never 17, over 5000 slugs and attempts", () => {
    for (let i = 0; i < 5000; i++) {
      const o = bundleSubnet(`agent-${i.toString(36)}`, i % 7).thirdOctet;
      expect(o).toBeGreaterThanOrEqual(1);
      expect(o).toBeLessThanOrEqual(254);
      expect(o).not.toBe(17);
    }
  });

  test("spreads slugs over the octets: 5000 slugs use nearly all 253 and no octet takes more than 3x its share", () => {
    const counts = new Map<number, number>();
    for (let i = 0; i < 5000; i++) {
      const o = bundleSubnet(`dev-${i.toString(36).padStart(6, "0")}`).thirdOctet;
      counts.set(o, (counts.get(o) ?? 0) + 1);
    }
    expect(counts.size).toBeGreaterThanOrEqual(250);
    expect(Math.max(...counts.values())).toBeLessThan((5000 / 253) * 3);
  });

  test("attempt walks to the next usable octet, skipping 17 and wrapping 254 → 1", () => {
    // Find slugs whose first octet is 16 and 254, so the walk crosses 17 and the wrap.
    let at16: string | undefined;
    let at254: string | undefined;
    for (let i = 0; i < 100_000 && (!at16 || !at254); i++) {
      const slug = `walk-${i}`;
      const o = bundleSubnet(slug).thirdOctet;
      if (o === 16) at16 ??= slug;
      if (o === 254) at254 ??= slug;
    }
    expect(at16).toBeDefined();
    expect(at254).toBeDefined();
    expect([0, 1, 2].map((a) => bundleSubnet(at16!, a).thirdOctet)).toEqual([16, 18, 19]);
    expect([0, 1, 2].map((a) => bundleSubnet(at254!, a).thirdOctet)).toEqual([254, 1, 2]);
    // 253 attempts come back to the start: every usable octet is tried once.
    const seen = new Set(Array.from({ length: 253 }, (_, a) => bundleSubnet(at16!, a).thirdOctet));
    expect(seen.size).toBe(253);
    expect(bundleSubnet(at16!, 253).thirdOctet).toBe(16);
  });

  test("uses the configured base", () => {
    const s = bundleSubnet("dev-abc123", 0, "172.30");
    expect(s.cidr).toBe(`172.30.${s.thirdOctet}.0/24`);
    expect(s.thirdOctet).toBe(bundleSubnet("dev-abc123").thirdOctet);
  });

  test.each(["10", "10.213.0", "10.256", "300.1", "a.b", "", " 10.213", "10.213/16"])("rejects base %p with a config error", (base) => {
    const e = thrown(() => bundleSubnet("dev-abc123", 0, base));
    expect(e.code).toBe("CONFIG");
    expect(e.message).toContain(`"${base}"`);
  });

  test.each([["10.213", true], ["0.0", true], ["255.255", true], ["256.0", false], ["10.1234", false]] as const)(
    "isSubnetBase(%p) is %p",
    (base, ok) => {
      expect(isSubnetBase(base)).toBe(ok);
    },
  );
});
