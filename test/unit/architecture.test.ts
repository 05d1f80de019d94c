// The layer rule (see scripts/lib/layers.ts for the order): every import in
// src/ goes down or sideways, never up, and no folders import each other in a
// cycle. Zero exceptions: a break names the file, the line and the import.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cycles, describe as describeViolation, LAYERS, scanImports, unitGraph, unitOf, violations } from "../../scripts/lib/layers.ts";

const SRC = join(import.meta.dir, "..", "..", "src");

describe("src/ layers", () => {
  const { files, imports } = scanImports(SRC);

  test("every top-level folder and root file has a layer", () => {
    const placed = new Set(LAYERS.flat());
    const unplaced = [...new Set(files.map(unitOf))].filter((u) => !placed.has(u));
    expect(unplaced).toEqual([]);
  });

  test("no import goes against the order", () => {
    expect(violations(imports).map(describeViolation)).toEqual([]);
  });

  test("only util/run.ts and util/stream.ts spawn processes; everything else goes through them", () => {
    const spawners = files.filter((f) => /\bBun\.spawn(Sync)?\b|\bspawnSync\b|["']node:child_process["']|["']child_process["']/.test(readFileSync(join(SRC, f), "utf8")));
    expect(spawners).toEqual(["util/run.ts", "util/stream.ts"]);
  });

  test("no folder-level cycle", () => {
    const g = unitGraph(imports);
    const named = cycles(g).map((c) => {
      const edges = c.flatMap((a) => c.filter((b) => g.get(a)?.has(b)).map((b) => `${a} -> ${b} (src/${g.get(a)!.get(b)![0]!.from})`));
      return edges.join(", ");
    });
    expect(named).toEqual([]);
  });
});

describe("the rule itself", () => {
  // A tiny src/ with known breaks: the checker must see each kind of import.
  const root = mkdtempSync(join(tmpdir(), "bb-layers-"));
  const write = (rel: string, text: string) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  write("util/a.ts", `export type { X } from "../cli/x.ts";\n`);
  write("plan/b.ts", `import "../state/s.ts";\nexport const f = () => import("../backends/docker/d.ts");\n`);
  write("state/s.ts", `import type { B } from "../plan/b.ts";\n`);
  write("cli/x.ts", `export type X = 1;\nimport { y } from "./y.ts";\n`);
  write("cli/y.ts", `export const y = 1;\n`);
  write("backends/docker/d.ts", `export const d = 1;\n`);
  write("backends/smolmachines/m.ts", `import { d } from "../docker/d.ts";\nimport { s } from "../shared/s.ts";\n`);
  write("backends/shared/s.ts", `export const s = 1;\n`);
  write("stray/z.ts", `export const z = 1;\n`);
  const { imports } = scanImports(root);
  const found = violations(imports).map(describeViolation);
  rmSync(root, { recursive: true, force: true });

  test("finds `export … from`, side-effect, dynamic and type-only imports upward", () => {
    expect(found).toContain(`src/util/a.ts:1 imports "../cli/x.ts" — util (layer 0) imports cli (layer 6)`);
    expect(found).toContain(`src/plan/b.ts:1 imports "../state/s.ts" — plan (layer 1) imports state (layer 2)`);
    expect(found).toContain(`src/plan/b.ts:2 imports "../backends/docker/d.ts" — plan (layer 1) imports backends (layer 4)`);
  });

  test("one driver never imports another; backends/shared is for both", () => {
    expect(found.filter((f) => f.includes("driver smolmachines imports driver docker"))).toHaveLength(1);
    expect(found.some((f) => f.includes("../shared/s.ts"))).toBe(false);
  });

  test("imports inside a folder and downward pass; cycles are found", () => {
    expect(found.some((f) => f.startsWith("src/cli/x.ts"))).toBe(false);
    expect(found.some((f) => f.startsWith("src/state/s.ts"))).toBe(false);
    expect(cycles(unitGraph(imports))).toEqual([["plan", "state"]]);
  });
});
