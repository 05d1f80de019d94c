import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commitPack, discardTemp, isCacheHit, sweepOrphanTemps } from "../../../../src/backends/smolmachines/pack-commit.ts";
import { packPaths } from "../../../../src/backends/smolmachines/pack-key.ts";
import { removeTempDirs, tempDir } from "../../../fakes/smolvm-lib/testing.ts";

afterAll(removeTempDirs);

const setup = (unique = "1-a") => {
  const dir = tempDir("pack-commit-");
  return { dir, p: packPaths(dir, "p1-smolvm0.8.2-key", unique) };
};

describe("commit", () => {
  test("renames launcher and artifact into place; only then is it a hit", () => {
    const { p } = setup();
    writeFileSync(p.tmpOut, "launcher");
    writeFileSync(p.tmpArtifact, "artifact");
    expect(isCacheHit(p)).toBe(false);
    commitPack(p);
    expect(isCacheHit(p)).toBe(true);
    expect(readFileSync(p.artifact, "utf8")).toBe("artifact");
    expect(readFileSync(p.out, "utf8")).toBe("launcher");
    expect(existsSync(p.tmpArtifact)).toBe(false);
  });

  test("no artifact (or an empty one) is not committed", () => {
    const { p } = setup();
    writeFileSync(p.tmpOut, "launcher");
    expect(() => commitPack(p)).toThrow("wrote no artifact");
    writeFileSync(p.tmpArtifact, "");
    expect(() => commitPack(p)).toThrow("wrote no artifact");
    expect(isCacheHit(p)).toBe(false);
  });

  test("a failed pack's half artifact never counts as a hit", () => {
    const { p } = setup();
    writeFileSync(p.tmpArtifact, "half");
    discardTemp(p);
    expect(isCacheHit(p)).toBe(false);
    expect(existsSync(p.tmpArtifact)).toBe(false);
  });

  test("a folder at the artifact path is not a hit", () => {
    const { p } = setup();
    require("node:fs").mkdirSync(p.artifact);
    expect(isCacheHit(p)).toBe(false);
  });
});

test("sweepOrphanTemps removes this key's leftovers only", () => {
  const { dir, p } = setup("1-a");
  const crashed = packPaths(dir, "p1-smolvm0.8.2-key", "99-z");
  const otherKey = packPaths(dir, "p1-smolvm0.8.2-other", "99-z");
  for (const f of [crashed.tmpOut, crashed.tmpArtifact, crashed.tarball, otherKey.tarball, p.tarball]) writeFileSync(f, "x");
  writeFileSync(p.artifact, "committed");
  const removed = sweepOrphanTemps(p, [p.tarball]);
  expect(removed.sort()).toEqual([crashed.tarball, crashed.tmpOut, crashed.tmpArtifact].sort());
  expect(readdirSync(dir).sort()).toEqual([".p1-smolvm0.8.2-key.1-a.tar", ".p1-smolvm0.8.2-other.99-z.tar", "p1-smolvm0.8.2-key.smolmachine.smolmachine"]);
});
