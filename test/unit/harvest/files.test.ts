import { describe, expect, test } from "bun:test";
import { applyConflicts, compareFiles, parseSha256sum, safeRelPath } from "../../../src/harvest/files.ts";

const h = (c: string) => c.repeat(64);

describe("safeRelPath", () => {
  test.each([
    ["a/b.txt", true],
    ["../x", false],
    ["/etc/passwd", false],
    ["a/../../x", false],
    ["a//b", false],
    ["./a", false],
    ["", false],
  ])("%p → %p", (p, ok) => expect(safeRelPath(p)).toBe(ok));
});

describe("parseSha256sum", () => {
  test("plain and escaped names; unsafe and malformed lines dropped", () => {
    const out = [`${h("a")}  ./x.txt`, `\\${h("b")}  ./new\\nline`, `${h("c")}  ./../escape`, "garbage", `${h("d")} *./bin`].join("\n");
    expect([...parseSha256sum(out)]).toEqual([
      ["x.txt", h("a")],
      ["new\nline", h("b")],
      ["bin", h("d")],
    ]);
  });
});

describe("compareFiles / applyConflicts", () => {
  const base = new Map([
    ["keep", h("1")],
    ["edit", h("2")],
    ["gone", h("3")],
  ]);
  const now = new Map([
    ["keep", h("1")],
    ["edit", h("4")],
    ["add", h("5")],
  ]);
  const changes = compareFiles(base, now);
  test("added, changed, deleted, sorted", () => {
    expect(changes.map((c) => [c.path, c.kind])).toEqual([
      ["add", "added"],
      ["edit", "changed"],
      ["gone", "deleted"],
    ]);
  });
  test("the host still at launch state: no conflict; edited since: conflict; already the result: fine", () => {
    const host = new Map<string, string | null>([
      ["add", null],
      ["edit", h("2")],
      ["gone", h("3")],
    ]);
    expect(applyConflicts(changes, (p) => host.get(p) ?? null)).toEqual([]);
    host.set("edit", h("9"));
    host.set("add", h("5"));
    expect(applyConflicts(changes, (p) => host.get(p) ?? null).map((c) => c.path)).toEqual(["edit"]);
  });
});
