import { describe, expect, test } from "bun:test";
import { packCacheKey, packImageRef, packPaths } from "../../../../src/backends/smolmachines/pack-key.ts";

const ID = "sha256:" + "ab".repeat(32);

describe("packCacheKey", () => {
  test("image id + smolvm version, filesystem- and tag-safe", () => {
    const k = packCacheKey(ID, "0.8.2");
    expect(k).toBe(`p1-smolvm0.8.2-${"ab".repeat(32)}`);
    expect(k).toMatch(/^[A-Za-z0-9_.-]{1,128}$/);
  });
  test("same inputs, same key; either input changing changes it", () => {
    expect(packCacheKey(ID, "0.8.2")).toBe(packCacheKey(` ${ID}\n`, "0.8.2"));
    expect(packCacheKey(ID, "0.8.2")).toBe(packCacheKey("ab".repeat(32), "0.8.2"));
    expect(packCacheKey(ID, "0.8.2")).not.toBe(packCacheKey(ID, "0.8.1"));
    expect(packCacheKey(ID, "0.8.2")).not.toBe(packCacheKey("sha256:" + "cd".repeat(32), "0.8.2"));
  });
  test.each([
    ["sha256:abc", "0.8.2"],
    ["sha256:" + "AB".repeat(32), "0.8.2"],
    ["../../etc/passwd", "0.8.2"],
    [ID, "0.8"],
    [ID, "../x"],
  ])("rejects %p %p", (id, v) => expect(() => packCacheKey(id, v)).toThrow());
});

test("packImageRef", () => expect(packImageRef("localhost:5123", "k")).toBe("localhost:5123/bot-bottle/agent:k"));

test("packPaths: artifact is OUT.smolmachine; temps are hidden and per-attempt", () => {
  const p = packPaths("/c", "k", "42-x");
  expect(p).toEqual({
    out: "/c/k.smolmachine",
    artifact: "/c/k.smolmachine.smolmachine",
    tmpOut: "/c/.k.42-x.tmp",
    tmpArtifact: "/c/.k.42-x.tmp.smolmachine",
    lock: "/c/k.lock",
    tarball: "/c/.k.42-x.tar",
  });
  expect(packPaths("/c", "k", "43-y").tmpOut).not.toBe(p.tmpOut);
});
