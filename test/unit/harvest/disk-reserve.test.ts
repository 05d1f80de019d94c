import { describe, expect, test } from "bun:test";
import { formatBytes, lowOnSpace, reserveBytes } from "../../../src/harvest/disk-reserve.ts";

const GiB = 1024 ** 3;

describe("disk reserve of a harvest export", () => {
  test("1 GiB on small disks, 2 % on large ones", () => {
    expect(reserveBytes(10 * GiB)).toBe(GiB);
    expect(reserveBytes(500 * GiB)).toBe(10 * GiB);
  });
  test("room: null; under the reserve: why, with both figures", () => {
    expect(lowOnSpace({ available: 2 * GiB, total: 20 * GiB })).toBeNull();
    expect(lowOnSpace({ available: GiB, total: 20 * GiB })).toBeNull();
    expect(lowOnSpace({ available: GiB - 1, total: 20 * GiB })).toBe("the disk holding bot-bottle's state has 1024.0 MiB free, under the 1.0 GiB an export always leaves");
    expect(lowOnSpace({ available: 0, total: 1000 * GiB })).toContain("0 B free, under the 20.0 GiB");
  });
  test("formatBytes", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(3 * 1024 ** 4)).toBe("3.0 TiB");
  });
});
