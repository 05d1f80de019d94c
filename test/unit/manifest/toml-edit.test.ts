import { describe, expect, test } from "bun:test";
import { addAllowEntry } from "../../../src/manifest/toml-edit.ts";
import { lineDiff } from "../../../src/util/line-diff.ts";

describe("addAllowEntry", () => {
  test("one-line array: appended, comment kept", () => {
    const src = `version = 1\n[bottles.box]\nagent = "sh"\nallow = ["a.com", "b.com"] # hosts\n`;
    expect(addAllowEntry(src, "box", "c.com").text).toBe(`version = 1\n[bottles.box]\nagent = "sh"\nallow = ["a.com", "b.com", "c.com"] # hosts\n`);
  });

  test("empty array", () => {
    expect(addAllowEntry(`[bottles.box]\nagent = "sh"\nallow = []\n`, "box", "c.com").text).toBe(`[bottles.box]\nagent = "sh"\nallow = ["c.com"]\n`);
  });

  test("multi-line array: a new line indented like the others, the missing comma added before a comment", () => {
    const src = `[bottles.box]\nagent = "sh"\nallow = [\n    "a.com", # first\n    "b.com" # second\n]\n# next\n[bottles.other]\nagent = "x"\n`;
    const out = addAllowEntry(src, "box", "c.com").text;
    expect(out).toBe(`[bottles.box]\nagent = "sh"\nallow = [\n    "a.com", # first\n    "b.com", # second\n    "c.com",\n]\n# next\n[bottles.other]\nagent = "x"\n`);
  });

  test("no allow key: inserted after the table's last key, before the comments leading to the next table", () => {
    const src = `# top\n[bottles.box]\nagent = "sh" # the agent\n\n# another bottle\n[bottles.two]\nagent = "y"\n`;
    expect(addAllowEntry(src, "box", "c.com").text).toBe(`# top\n[bottles.box]\nagent = "sh" # the agent\nallow = ["c.com"]\n\n# another bottle\n[bottles.two]\nagent = "y"\n`);
  });

  test("only the named bottle changes; a sub-table ends the bottle's table", () => {
    const src = `[bottles.a]\nagent = "x"\nallow = ["x.com"]\n[bottles.box]\nagent = "sh"\n[[bottles.box.egress]]\nhost = "api.x.com"\n`;
    const out = addAllowEntry(src, "box", "c.com").text;
    expect(out).toBe(`[bottles.a]\nagent = "x"\nallow = ["x.com"]\n[bottles.box]\nagent = "sh"\nallow = ["c.com"]\n[[bottles.box.egress]]\nhost = "api.x.com"\n`);
  });

  test("already there: unchanged; a bracket inside a string does not confuse it", () => {
    const src = `[bottles.box]\nagent = "sh"\nallow = ["a.com"]\n`;
    expect(addAllowEntry(src, "box", "a.com")).toEqual({ text: src, changed: false });
    const tricky = `[bottles.box]\nagent = "sh"\nallow = [\n  "a.com", # a ] comment\n]\n`;
    expect(addAllowEntry(tricky, "box", "c.com").text).toBe(`[bottles.box]\nagent = "sh"\nallow = [\n  "a.com", # a ] comment\n  "c.com",\n]\n`);
  });

  test("a bottle not written as a table is refused, not guessed", () => {
    expect(() => addAllowEntry(`bottles.box = { agent = "sh" }\n`, "box", "c.com")).toThrow(/no \[bottles.box\] table/);
  });

  test("CRLF files stay CRLF", () => {
    expect(addAllowEntry(`[bottles.box]\r\nagent = "sh"\r\n`, "box", "c.com").text).toBe(`[bottles.box]\r\nagent = "sh"\r\nallow = ["c.com"]\r\n`);
  });
});

describe("lineDiff", () => {
  test("shows the changed lines with context", () => {
    const d = lineDiff("a\nb\nc\nd\n", "a\nb\nc2\nd\n", "f.toml", 1);
    expect(d).toBe("--- f.toml\n+++ f.toml\n@@ -2,3 +2,3 @@\n b\n-c\n+c2\n d\n");
    expect(lineDiff("x\n", "x\n", "f")).toBe("");
  });
});
