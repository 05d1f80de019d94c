import { describe, expect, test } from "bun:test";
import { parseSince, parseTail } from "../../../src/util/since.ts";
import { BottleError } from "../../../src/util/errors.ts";

const NOW = new Date("2026-03-01T12:00:00.000Z");

describe("parseSince", () => {
  const ok: [string, string][] = [
    ["90s", "2026-03-01T11:58:30.000Z"],
    ["10m", "2026-03-01T11:50:00.000Z"],
    ["2h", "2026-03-01T10:00:00.000Z"],
    ["1d", "2026-02-28T12:00:00.000Z"],
    ["1.5h", "2026-03-01T10:30:00.000Z"],
    ["2026-01-01T12:00:00Z", "2026-01-01T12:00:00.000Z"],
    ["2026-01-01", "2026-01-01T00:00:00.000Z"],
  ];
  for (const [text, want] of ok) test(text, () => expect(parseSince(text, NOW).toISOString()).toBe(want));
  for (const bad of ["", "10", "10x", "yesterday", "-5m", "2026-13-45"]) {
    test(`rejects ${JSON.stringify(bad)}`, () => {
      const e = (() => {
        try {
          parseSince(bad, NOW);
        } catch (err) {
          return err;
        }
      })() as BottleError;
      expect(e).toBeInstanceOf(BottleError);
      expect(e.exitCode).toBe(2);
      expect(e.oneLine()).toContain("--since 10m");
    });
  }
});

describe("parseTail", () => {
  test("whole numbers only", () => {
    expect(parseTail("0")).toBe(0);
    expect(parseTail("50")).toBe(50);
    for (const bad of ["-1", "x", "1.5", ""]) expect(() => parseTail(bad)).toThrow(/not a number of lines/);
  });
});
