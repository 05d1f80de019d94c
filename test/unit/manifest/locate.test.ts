import { describe, expect, test } from "bun:test";
import { locateKey, parseKey, tomlEntries } from "../../../src/manifest/locate.ts";

const MANIFEST = `# comment [bottles.fake]
version = 1

[bottles.dev]
agent = "dev"
allow = [
  "a.test",   # first
  "b.test", "c.test",
  "[not.a.header]",
]
env = { A = "1", B = { value = "x" } }
"quoted.key" = 1
notes = """
[bottles.inside_string]
agent = "no"
"""

[[bottles.dev.egress]]
host = "one.test"

[[bottles.dev.egress]]
host = "two.test"
kind = "bearer"

[bottles.dev.egress.extra]
x = 1

[[bottles.dev.git]]
name = "origin"

[ bottles . "qa" ]
agent = 'qa'
sub.dotted.key = true

[bottles.inline]
demo = { agent = "d" }
`;

describe("locateKey", () => {
  test.each([
    [["version"], 2],
    [["bottles", "dev"], 4],
    [["bottles", "dev", "agent"], 5],
    [["bottles", "dev", "allow"], 6],
    [["bottles", "dev", "allow", 0], 7],
    [["bottles", "dev", "allow", 1], 8],
    [["bottles", "dev", "allow", 2], 8],
    [["bottles", "dev", "allow", 3], 9],
    [["bottles", "dev", "env", "B", "value"], 11],
    [["bottles", "dev", "quoted.key"], 12],
    [["bottles", "dev", "egress"], 18],
    [["bottles", "dev", "egress", 0, "host"], 19],
    [["bottles", "dev", "egress", 1], 21],
    [["bottles", "dev", "egress", 1, "host"], 22],
    [["bottles", "dev", "egress", 1, "kind"], 23],
    [["bottles", "dev", "egress", 1, "extra", "x"], 26],
    [["bottles", "dev", "git", 0, "name"], 29],
    [["bottles", "qa", "agent"], 32],
    [["bottles", "qa", "sub", "dotted", "key"], 33],
    [["bottles", "qa", "sub"], 33],
    [["bottles", "inline", "demo", "agent"], 36],
  ] as [(string | number)[], number][])("%j is on line %i", (path, line) => {
    expect(locateKey(MANIFEST, path)).toBe(line);
  });

  test.each([
    // A missing key resolves to the table it should be in.
    [["bottles", "dev", "egress", 0, "kind"], 18],
    [["bottles", "qa", "provider"], 31],
    [["bottles", "dev", "egress", 1, "nope", "deeper"], 21],
  ] as [(string | number)[], number][])("missing %j falls back to its table on line %i", (path, line) => {
    expect(locateKey(MANIFEST, path)).toBe(line);
  });

  test.each([[["nope"]], [["bottles", "inside_string"]], [["bottles", "fake"]], [[]]] as [(string | number)[]][])(
    "%j is not found (strings and comments are not keys)",
    (path) => {
      expect(locateKey(MANIFEST, path)).toBeUndefined();
    },
  );

  test("CRLF sources give the same lines", () => {
    expect(locateKey(MANIFEST.replace(/\n/g, "\r\n"), ["bottles", "dev", "egress", 1, "host"])).toBe(22);
  });

  test("entries come in source order, array headers first at their first element", () => {
    const src = "[[a]]\nx = 1\n[[a]]\nx = 2\n";
    expect(tomlEntries(src)).toEqual([
      { path: ["a"], line: 1 },
      { path: ["a", 0], line: 1 },
      { path: ["a", 0, "x"], line: 2 },
      { path: ["a", 1], line: 3 },
      { path: ["a", 1, "x"], line: 4 },
    ]);
  });

  test("nested arrays of tables are counted per parent element", () => {
    const src = "[[p]]\n[[p.c]]\n[[p.c]]\n[[p]]\n[[p.c]]\nk = 1\n";
    expect(locateKey(src, ["p", 0, "c", 1])).toBe(3);
    expect(locateKey(src, ["p", 1, "c", 0, "k"])).toBe(6);
  });
});

describe("parseKey", () => {
  test.each([
    ["bottles.dev.env.A", ["bottles", "dev", "env", "A"]],
    ["bottles.dev.egress[0].credential", ["bottles", "dev", "egress", 0, "credential"]],
    ["a[1][2]", ["a", 1, 2]],
    ["", []],
  ] as [string, (string | number)[]][])("%p → %j", (key, path) => {
    expect(parseKey(key)).toEqual(path);
  });
});
