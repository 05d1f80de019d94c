import { expect, test } from "bun:test";
import { escapeRegExp } from "../../../src/util/regex.ts";

test("escapeRegExp: every special character matches itself", () => {
  const s = "a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o/p-q";
  expect(new RegExp(`^${escapeRegExp(s)}$`).test(s)).toBe(true);
  expect(new RegExp(`^${escapeRegExp("a.b")}$`).test("axb")).toBe(false);
});
