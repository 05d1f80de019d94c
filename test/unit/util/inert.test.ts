import { describe, expect, test } from "bun:test";
import { inert } from "../../../src/util/inert.ts";

describe("inert", () => {
  test.each([
    ["plain", "run the unit tests", "run the unit tests"],
    ["ESC / CSI", "\x1b[2K\x1b[1Grun tests", "\\e[2K\\e[1Grun tests"],
    ["OSC 8 hyperlink", "\x1b]8;;http://x\x07click\x1b]8;;\x07", "\\e]8;;http://x\\x07click\\e]8;;\\x07"],
    ["CR overwrite", "rm -rf /\rrun tests", "rm -rf /\\rrun tests"],
    ["BEL and DEL", "a\x07b\x7f", "a\\x07b\\x7f"],
    ["C1 CSI", "a\x9b31mb", "a\\x9b31mb"],
    ["bidi override", "safe\u202etxt.exe", "safe\\u202etxt.exe"],
    ["bidi isolate", "\u2066x\u2069", "\\u2066x\\u2069"],
    ["newline in a one-line field", "a\nb\tc", "a\\nb\\tc"],
    ["unicode text stays", "héllo ✓ 日本", "héllo ✓ 日本"],
  ])("%s", (_why, input, want) => {
    expect(inert(input)).toBe(want);
  });

  test("multiline keeps LF and TAB but not CR or ESC", () => {
    expect(inert("a\n\tb\r\x1b[0m", { multiline: true })).toBe("a\n\tb\\r\\e[0m");
  });

  test("no control survives", () => {
    let all = "";
    for (let c = 0; c < 0x100; c++) all += String.fromCharCode(c);
    expect(/[\x00-\x1f\x7f-\x9f]/.test(inert(all))).toBe(false);
  });
});
