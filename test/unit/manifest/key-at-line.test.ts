import { describe, expect, test } from "bun:test";
import { keyAtLine } from "../../../src/manifest/parse.ts";

describe("keyAtLine (syntax errors name their key)", () => {
  const src = ['version = 1', '', '[bottles.dev]', 'agent = "dev"', 'cpus = 2 3', '', '[[bottles.dev.egress]]', 'host = "a.com" x'].join("\n");
  test.each([
    [1, "version"],
    [4, "bottles.dev.agent"],
    [5, "bottles.dev.cpus"],
    [8, "bottles.dev.egress[0].host"],
    [2, undefined],
  ])("line %d → %p", (line, key) => expect(keyAtLine(src, line)).toBe(key));
});
