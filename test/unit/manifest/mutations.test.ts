// Whatever an operator's editor leaves behind, loading a manifest either succeeds
// or throws a BottleError with a one-line message: never a TypeError from the
// line locator or a valibot internals dump. Deterministic mutations of a manifest
// that uses most of the schema.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadFromSource } from "../../../src/manifest/load.ts";
import { BottleError } from "../../../src/util/errors.ts";

const SOURCE = readFileSync(join(import.meta.dir, "../../fixtures/manifests/valid.toml"), "utf8");
const NOISE = ['"', "'", "[", "]", "{", "}", "=", ",", ".", "#", "\n", "[[", "]]", '"""', "x", "1", "-", " "];

/** Small deterministic PRNG (mulberry32). */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(src: string, rnd: () => number): string {
  const lines = src.split("\n");
  const i = Math.floor(rnd() * lines.length);
  const line = lines[i]!;
  const at = Math.floor(rnd() * (line.length + 1));
  switch (Math.floor(rnd() * 5)) {
    case 0: // insert noise
      lines[i] = line.slice(0, at) + NOISE[Math.floor(rnd() * NOISE.length)] + line.slice(at);
      break;
    case 1: // delete a character
      lines[i] = line.slice(0, at) + line.slice(at + 1);
      break;
    case 2: // drop the line
      lines.splice(i, 1);
      break;
    case 3: // duplicate the line
      lines.splice(i, 0, line);
      break;
    default: // swap with the next line
      if (i + 1 < lines.length) [lines[i], lines[i + 1]] = [lines[i + 1]!, line];
  }
  return lines.join("\n");
}

test("800 mutated manifests: each loads or fails with a located, one-line BottleError", () => {
  const rnd = prng(20261123);
  const outcomes = { ok: 0, parse: 0, invalid: 0 };
  for (let n = 0; n < 800; n++) {
    let src = SOURCE;
    const edits = 1 + Math.floor(rnd() * 3);
    for (let k = 0; k < edits; k++) src = mutate(src, rnd);
    try {
      loadFromSource(src, "m.toml", "/m", () => "prompt");
      outcomes.ok++;
    } catch (e) {
      if (!(e instanceof BottleError)) throw new Error(`mutation ${n} threw ${String(e)}\n---\n${src}`);
      expect(e.oneLine()).not.toContain("\n");
      expect(e.hint).toBeTruthy();
      if (e.line !== undefined) {
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.line).toBeLessThanOrEqual(src.split("\n").length + 1);
      }
      if (e.code === "MANIFEST_PARSE") outcomes.parse++;
      else outcomes.invalid++;
    }
  }
  // The mutations exercise all three outcomes, not just one.
  expect(outcomes.ok).toBeGreaterThan(20);
  expect(outcomes.parse).toBeGreaterThan(50);
  expect(outcomes.invalid).toBeGreaterThan(20);
});
