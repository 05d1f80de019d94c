import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readJsonLines } from "../../../src/util/jsonl.ts";

const dir = mkdtempSync(join(tmpdir(), "bb-jsonl-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const isN = (v: unknown): v is { n: number } => typeof (v as { n?: unknown })?.n === "number";

test("entries in order; blank, torn and foreign lines skipped", () => {
  const f = join(dir, "a.jsonl");
  writeFileSync(f, '{"n":1}\n\n{"x":2}\nnull\n{"n":3}\n{"n":4}');
  expect(readJsonLines(f, isN)).toEqual([{ n: 1 }, { n: 3 }, { n: 4 }]);
  writeFileSync(f, '{"n":1}\n{"n":');
  expect(readJsonLines(f, isN)).toEqual([{ n: 1 }]);
});

test("a missing file has no entries", () => expect(readJsonLines(join(dir, "none"), isN)).toEqual([]));
