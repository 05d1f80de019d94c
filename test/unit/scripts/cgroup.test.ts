import { expect, test } from "bun:test";
import { anonBytes } from "../../../scripts/bench/lib/cgroup.ts";

test("anonBytes reads anon (cgroup v2) or rss (v1), not the page cache", () => {
  expect(anonBytes("anon 1048576\nfile 999999\nanon_thp 0\n", true)).toBe(1048576);
  expect(anonBytes("cache 36864\nrss 9789440\nrss_huge 0\n", false)).toBe(9789440);
  expect(anonBytes("file 1\n", true)).toBeUndefined();
});
