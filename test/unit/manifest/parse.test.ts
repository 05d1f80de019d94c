import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { formatKey, parseTomlText, validate } from "../../../src/manifest/parse.ts";
import { thrown } from "../../helpers/thrown.ts";

describe("parseTomlText", () => {
  test.each([
    ["unclosed string", 'a = 1\nb = "x\n', 2],
    ["duplicate key", "a = 1\nb = 2\na = 3\n", 3],
    ["key without value", "a = 1\n\nb 2\n", 3],
    ["bare word value", "[t]\nx = yes\n", 2],
    ["table defined twice", "[t]\nx = 1\n[t]\ny = 2\n", 3],
  ])("%s → MANIFEST_PARSE located on its line, one line of message", (_why, src, line) => {
    const e = thrown(() => parseTomlText(src, "m.toml"));
    expect(e.code).toBe("MANIFEST_PARSE");
    expect(e.file).toBe("m.toml");
    expect(e.line).toBe(line);
    expect(e.message).toStartWith("invalid TOML: ");
    expect(e.message).not.toContain("\n");
  });

  test("valid TOML parses to plain data", () => {
    expect(parseTomlText('a = 1\n[t]\nb = ["x"]\n', "m.toml")).toEqual({ a: 1, t: { b: ["x"] } });
  });
});

describe("validate", () => {
  const schema = v.strictObject({ items: v.array(v.strictObject({ n: v.number() })) });

  test("the key carries the caller's prefix; the line comes from the source", () => {
    const src = "[[items]]\nn = 1\n[[items]]\nn = \"two\"\n";
    const e = thrown(() => validate(schema, { items: [{ n: 1 }, { n: "two" }] }, src, "x.toml", ["outer"]));
    expect(e.key).toBe("outer.items[1].n");
    expect(e.line).toBe(4);
    expect(e.message).toBe('expected number, got "two"');
    expect(e.hint).toBe("change the value to a number");
  });

  test("returns the parsed output when valid", () => {
    expect(validate(schema, { items: [{ n: 3 }] }, "", "x.toml")).toEqual({ items: [{ n: 3 }] });
  });
});

describe("formatKey", () => {
  test.each([
    [[], ""],
    [["a"], "a"],
    [["a", "b"], "a.b"],
    [["a", 0, "b"], "a[0].b"],
    [["a", 1, 2], "a[1][2]"],
  ] as [(string | number)[], string][])("%j → %p", (path, key) => {
    expect(formatKey(path)).toBe(key);
  });
});

import * as vv from "valibot";
import { egressRoute } from "../../../src/manifest/schema.ts";
test("a route's dlp is redact or block, and the schema documents it", () => {
  expect(vv.safeParse(egressRoute, { host: "api.x.com", dlp: "redact" }).success).toBe(true);
  expect(vv.safeParse(egressRoute, { host: "api.x.com", dlp: "block" }).success).toBe(true);
  const bad = vv.safeParse(egressRoute, { host: "api.x.com", dlp: "off" });
  expect(bad.success).toBe(false);
  expect(bad.issues?.[0]?.message).toContain('"redact" or "block"');
  const desc = (egressRoute.entries.dlp.wrapped as unknown as { pipe: readonly { type: string; description?: string }[] }).pipe.find((p) => p.type === "description");
  expect(desc?.description).toContain("[REDACTED:aws-access-key]");
});
