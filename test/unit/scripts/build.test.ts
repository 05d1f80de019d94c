import { describe, expect, test } from "bun:test";
import {
  TARGETS,
  assetName,
  bunTarget,
  compileArgv,
  hostTarget,
  median,
  parseBuildArgs,
  parseSha256Sums,
  plannedBinaries,
  sha256sumsText,
} from "../../../scripts/build.ts";

describe("hostTarget", () => {
  test.each([
    ["linux", "x64", "bot-bottle-linux-x64"],
    ["linux", "arm64", "bot-bottle-linux-arm64"],
    ["darwin", "x64", "bot-bottle-darwin-x64"],
    ["darwin", "arm64", "bot-bottle-darwin-arm64"],
  ])("%s %s → %s", (platform, arch, name) => {
    expect(assetName(hostTarget(platform, arch))).toBe(name);
  });

  test.each([
    ["win32", "x64"],
    ["linux", "ia32"],
    ["freebsd", "arm64"],
  ])("%s %s is not a release target", (platform, arch) => {
    expect(() => hostTarget(platform, arch)).toThrow(/no release target/);
  });
});

describe("parseBuildArgs", () => {
  test("defaults: host build into dist with bytecode", () => {
    expect(parseBuildArgs([])).toEqual({ all: false, outdir: "dist", measure: false, bytecode: true, help: false });
  });
  test("every flag", () => {
    expect(parseBuildArgs(["--all", "--outdir", "out", "--commit", "abc", "--measure", "--no-bytecode"])).toEqual({
      all: true,
      outdir: "out",
      commit: "abc",
      measure: true,
      bytecode: false,
      help: false,
    });
  });
  test.each([[["--outdir"]], [["--commit", "--all"]], [["--bogus"]]])("rejects %j", (argv) => {
    expect(() => parseBuildArgs(argv)).toThrow();
  });
});

describe("plannedBinaries", () => {
  test("linux host: one plain binary", () => {
    expect(plannedBinaries({ all: false, outdir: "d" }, { os: "linux", arch: "x64" })).toEqual([{ file: "d/bot-bottle" }]);
  });
  test("macOS host: also the Linux sibling for the bundle, same arch", () => {
    expect(plannedBinaries({ all: false, outdir: "d" }, { os: "darwin", arch: "arm64" })).toEqual([
      { file: "d/bot-bottle" },
      { target: { os: "linux", arch: "arm64" }, file: "d/bot-bottle-linux-arm64" },
    ]);
  });
  test("--all: the four release assets", () => {
    const files = plannedBinaries({ all: true, outdir: "d" }, { os: "linux", arch: "x64" }).map((b) => b.file);
    expect(files).toEqual([
      "d/bot-bottle-linux-x64",
      "d/bot-bottle-linux-arm64",
      "d/bot-bottle-darwin-x64",
      "d/bot-bottle-darwin-arm64",
    ]);
    expect(TARGETS).toHaveLength(4);
  });
});

describe("bunTarget", () => {
  test.each([
    [{ os: "linux", arch: "x64" }, "bun-linux-x64-baseline"],
    [{ os: "darwin", arch: "x64" }, "bun-darwin-x64-baseline"],
    [{ os: "linux", arch: "arm64" }, "bun-linux-arm64"],
    [{ os: "darwin", arch: "arm64" }, "bun-darwin-arm64"],
  ] as const)("%j → %s", (t, want) => expect(bunTarget(t)).toBe(want));
});

describe("compileArgv", () => {
  test("cross target with bytecode and the commit define", () => {
    expect(
      compileArgv({ bun: "bun", entry: "src/main.ts", outfile: "dist/x", target: { os: "darwin", arch: "arm64" }, commit: "abc123", bytecode: true }),
    ).toEqual([
      "bun",
      "build",
      "--compile",
      "--minify",
      "--bytecode",
      "--format=esm",
      "--target=bun-darwin-arm64",
      "--define",
      'BOT_BOTTLE_COMMIT="abc123"',
      "src/main.ts",
      "--outfile",
      "dist/x",
    ]);
  });
  test("host build without bytecode has no --target", () => {
    const argv = compileArgv({ bun: "bun", entry: "e.ts", outfile: "o", commit: 'we"ird', bytecode: false });
    expect(argv.some((a) => a.startsWith("--target"))).toBe(false);
    expect(argv).not.toContain("--bytecode");
    expect(argv).toContain('BOT_BOTTLE_COMMIT="we\\"ird"');
  });
});

describe("SHA256SUMS", () => {
  const a = "a".repeat(64);
  const b = "b".repeat(64);
  test("written sorted, in sha256sum format", () => {
    expect(sha256sumsText([{ name: "z", sha256: a }, { name: "m", sha256: b }])).toBe(`${b}  m\n${a}  z\n`);
  });
  test("round trip, including binary-mode lines", () => {
    const parsed = parseSha256Sums(`${a}  bot-bottle-linux-x64\n${b} *bot-bottle-darwin-arm64\n\n`);
    expect([...parsed]).toEqual([
      ["bot-bottle-linux-x64", a],
      ["bot-bottle-darwin-arm64", b],
    ]);
  });
  test.each([["nothex  file"], [`${a.slice(1)}  short`], [`${a}file`]])("rejects %j", (line) => {
    expect(() => parseSha256Sums(line)).toThrow(/line 1/);
  });
});

describe("median", () => {
  test.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[7], 7],
  ])("%j → %d", (xs, m) => expect(median(xs)).toBe(m));
  test("of nothing throws", () => expect(() => median([])).toThrow());
});
