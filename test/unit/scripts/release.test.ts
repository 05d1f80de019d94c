import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { TARGETS, assetName, sha256sumsText, parseSha256Sums } from "../../../scripts/build.ts";
import { assetUrl, generateFormula, parseReleaseArgs } from "../../../scripts/release.ts";
import { missingPrograms, skipWhen } from "../../helpers/skip.ts";

// Distinct fake digests per asset, so a swapped url/sha pair is caught.
const sums = new Map(TARGETS.map((t, i) => [assetName(t), String(i + 1).repeat(64)]));
const formula = generateFormula({ version: "1.2.3", baseUrl: "https://example.test/rel/", sums });

describe("generateFormula", () => {
  test.each(TARGETS.map((t) => [assetName(t)]))("%s: url and its own sha256", (asset) => {
    expect(formula).toContain(`url "https://example.test/rel/download/v1.2.3/${asset}"\n`);
    expect(formula).toContain(`sha256 "${sums.get(asset)}"`);
  });

  test("structure: platform blocks, install, completions, test", () => {
    for (const line of [
      "class BotBottle < Formula",
      '  version "1.2.3"',
      "  on_macos do",
      "  on_linux do",
      "    on_arm do",
      "    on_intel do",
      '      resource "bundle-linux" do',
      '    bin.install "bot-bottle-#{os}-#{arch}" => "bot-bottle"',
      'generate_completions_from_executable(bin/"bot-bottle", "completions", shells: [:bash, :zsh, :fish])',
      '    assert_match "bot-bottle #{version}", shell_output("#{bin}/bot-bottle --version")',
    ]) {
      expect(formula).toContain(line);
    }
    // Only macOS needs the Linux sibling.
    expect(formula.split('resource "bundle-linux"').length - 1).toBe(2);
  });

  test("refuses a SHA256SUMS without every target", () => {
    const partial = new Map(sums);
    partial.delete("bot-bottle-linux-arm64");
    expect(() => generateFormula({ version: "1.2.3", baseUrl: "u", sums: partial })).toThrow(/no bot-bottle-linux-arm64/);
  });

  test.each([["v1.2.3"], ["1.2"], ['1.2.3"; system("x")']])("refuses version %j", (version) => {
    expect(() => generateFormula({ version, baseUrl: "u", sums })).toThrow(/not semver/);
  });

  test("reads what scripts/build writes", () => {
    const text = sha256sumsText([...sums].map(([name, sha256]) => ({ name, sha256 })));
    expect(generateFormula({ version: "1.2.3", baseUrl: "https://example.test/rel", sums: parseSha256Sums(text) })).toBe(formula);
  });
});

test("assetUrl trims trailing slashes", () => {
  expect(assetUrl("https://h/r//", "0.1.0", "a")).toBe("https://h/r/download/v0.1.0/a");
});

test("parseReleaseArgs", () => {
  expect(parseReleaseArgs(["--version", "v2.0.0", "--sums", "s", "--out", "o", "--base-url", "b", "--no-verify"])).toEqual({
    version: "2.0.0",
    sums: "s",
    out: "o",
    baseUrl: "b",
    verify: false,
    help: false,
  });
  expect(parseReleaseArgs(["-h"]).help).toBe(true);
  expect(() => parseReleaseArgs(["--nope"])).toThrow();
});

test("the committed Formula/bot-bottle.rb is generator output", () => {
  const committed = readFileSync(resolve(import.meta.dir, "../../../Formula/bot-bottle.rb"), "utf8");
  const version = /version "([^"]+)"/.exec(committed)![1]!;
  const committedSums = new Map(
    TARGETS.map((t) => [assetName(t), new RegExp(`/${assetName(t)}"\\n\\s*sha256 "([0-9a-f]{64})"`).exec(committed)![1]!]),
  );
  expect(generateFormula({ version, baseUrl: "https://github.com/bot-bottle/bot-bottle/releases", sums: committedSums })).toBe(committed);
});

describe.skipIf(skipWhen("formula syntax and DSL checks", missingPrograms(["ruby"])))("the formula under Ruby", () => {
  const dir = mkdtempSync(join(tmpdir(), "bb-formula-"));
  const file = join(dir, "bot-bottle.rb");
  writeFileSync(file, formula);

  test("ruby -c", () => {
    const r = Bun.spawnSync(["ruby", "-c", file]);
    expect(r.stdout.toString()).toContain("Syntax OK");
  });

  const url = (asset: string) => `https://example.test/rel/download/v1.2.3/${asset}`;
  test.each([
    ["mac", "arm", "darwin-arm64", "linux-arm64"],
    ["mac", "intel", "darwin-x64", "linux-x64"],
    ["linux", "arm", "linux-arm64", null],
    ["linux", "intel", "linux-x64", null],
  ])("%s/%s: fetches bot-bottle-%s, sibling %s", (os, arch, main, sibling) => {
    const r = Bun.spawnSync(["ruby", join(import.meta.dir, "formula-shim.rb"), file, os, arch]);
    expect(r.stderr.toString()).toBe("");
    const got = JSON.parse(r.stdout.toString());
    expect(got.version).toBe("1.2.3");
    expect(got.url).toBe(url(`bot-bottle-${main}`));
    expect(got.sha256).toBe(sums.get(`bot-bottle-${main}`));
    expect(got.has_test).toBe(true);
    const installs: unknown[] = [["bin.install", [{ [`bot-bottle-${main}`]: "bot-bottle" }]]];
    if (sibling) {
      expect(got.resources).toEqual({ "bundle-linux": { url: url(`bot-bottle-${sibling}`), sha256: sums.get(`bot-bottle-${sibling}`) } });
      installs.push(["bin.install", [`bot-bottle-${sibling}`]]);
    } else {
      expect(got.resources).toEqual({});
    }
    installs.push(["completions", ["BIN/bot-bottle", "completions"], { shells: ["bash", "zsh", "fish"] }]);
    expect(got.log).toEqual(installs);
  });
});
