import { describe, expect, test } from "bun:test";
import { chooseBundleBinary, compileArgv, isCompiled, sourceHash, type BinaryFacts } from "../../../src/images/bundle-binary.ts";
import { join } from "node:path";

const base: BinaryFacts = {
  execPath: "/opt/bb/bot-bottle",
  compiled: true,
  hostPlatform: "linux",
  hostArch: "x64",
  engineArch: "x86_64",
  exists: () => false,
};

describe("chooseBundleBinary", () => {
  const cases: [string, Partial<BinaryFacts>, ReturnType<typeof chooseBundleBinary>][] = [
    ["env wins", { envPath: "/x/bb" }, { kind: "env", path: "/x/bb" }],
    ["compiled linux, same arch: itself", {}, { kind: "self", path: "/opt/bb/bot-bottle" }],
    ["compiled linux, other arch: sibling", { engineArch: "aarch64", exists: (p) => p === "/opt/bb/bot-bottle-linux-arm64" },
      { kind: "sibling", path: "/opt/bb/bot-bottle-linux-arm64" }],
    ["compiled macOS: sibling for the engine", { hostPlatform: "darwin", hostArch: "arm64", engineArch: "aarch64", exists: (p) => p.endsWith("-linux-arm64") },
      { kind: "sibling", path: "/opt/bb/bot-bottle-linux-arm64" }],
    ["compiled macOS, no sibling: none", { hostPlatform: "darwin", engineArch: "aarch64" },
      { kind: "none", reason: "no Linux arm64 build of bot-bottle for the bundle: put bot-bottle-linux-arm64 next to /opt/bb/bot-bottle or set BOT_BOTTLE_BUNDLE_BINARY" }],
    ["from source: compile for the engine", { compiled: false, execPath: "/usr/bin/bun", sourceEntry: "/r/src/main.ts" },
      { kind: "compile", target: "bun-linux-x64", entry: "/r/src/main.ts" }],
    ["from source on macOS for an arm engine", { compiled: false, hostPlatform: "darwin", engineArch: "aarch64", sourceEntry: "/r/src/main.ts" },
      { kind: "compile", target: "bun-linux-arm64", entry: "/r/src/main.ts" }],
  ];
  for (const [name, facts, want] of cases) test(name, () => expect(chooseBundleBinary({ ...base, ...facts })).toEqual(want));
});

describe("source detection", () => {
  test("tests run from source", () => expect(isCompiled()).toBe(false));
  test("sourceHash is stable and hex", () => {
    const src = join(import.meta.dir, "../../../src");
    expect(sourceHash(src)).toMatch(/^[0-9a-f]{64}$/);
    expect(sourceHash(src)).toBe(sourceHash(src));
  });
});

describe("fileHash", () => {
  test("hashes a file and remembers it on disk by path, size and mtime", async () => {
    const { mkdtempSync, writeFileSync, readFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { fileHash } = await import("../../../src/images/bundle-binary.ts");
    const { sha256Hex } = await import("../../../src/images/tag.ts");
    const dir = mkdtempSync(join(tmpdir(), "bb-hash-"));
    const f = join(dir, "bin");
    const memo = join(dir, "memo/hashes.json");
    writeFileSync(f, "v1");
    expect(fileHash(f, memo)).toBe(sha256Hex("v1"));
    expect(Object.values(JSON.parse(readFileSync(memo, "utf8")))).toEqual([sha256Hex("v1")]);
    writeFileSync(f, "version 2");
    expect(fileHash(f, memo)).toBe(sha256Hex("version 2"));
    expect(Object.keys(JSON.parse(readFileSync(memo, "utf8"))).length).toBe(1);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("compileArgv", () => {
  test("compiles from source as the release build does: minified, with bytecode, for the engine's target", () => {
    expect(compileArgv("/usr/bin/bun", "bun-linux-x64", "/r/src/main.ts", "/c/bot-bottle.tmp")).toEqual([
      "/usr/bin/bun", "build", "--compile", "--minify", "--bytecode", "--format=esm", "--target=bun-linux-x64", "/r/src/main.ts", "--outfile", "/c/bot-bottle.tmp",
    ]);
  });
});
