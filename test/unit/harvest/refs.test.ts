import { describe, expect, test } from "bun:test";
import { chooseRef, refPrefix, safeBranchName, shortRef } from "../../../src/harvest/refs.ts";

const P = refPrefix("dev-abc123");
const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);

describe("safeBranchName", () => {
  test.each([
    ["main", true],
    ["feature/x-1", true],
    ["v1.2", true],
    ["", false],
    ["../x", false],
    ["a..b", false],
    [".hidden", false],
    ["-rf", false],
    ["x.lock", false],
    ["a//b", false],
    ["with space", false],
    ["esc\x1b[31m", false],
    ["bidi\u202e", false],
    ["ünïcode", false],
  ])("%p → %p", (name, ok) => expect(safeBranchName(name)).toBe(ok));
});

describe("chooseRef", () => {
  const never = () => false;
  test("a free name is created", () => {
    expect(chooseRef(P, "main", A, new Map(), never)).toEqual({ ref: `${P}main`, old: null, status: "created" });
  });
  test("the same tip is unchanged", () => {
    expect(chooseRef(P, "main", A, new Map([[`${P}main`, A]]), never).status).toBe("unchanged");
  });
  test("a fast-forward moves the ref", () => {
    expect(chooseRef(P, "main", B, new Map([[`${P}main`, A]]), (o, n) => o === A && n === B)).toEqual({ ref: `${P}main`, old: A, status: "moved" });
  });
  test("a diverged ref is kept; the new tip gets -1, then -2", () => {
    const existing = new Map([[`${P}main`, A]]);
    expect(chooseRef(P, "main", B, existing, never)).toEqual({ ref: `${P}main-1`, old: null, status: "diverged" });
    existing.set(`${P}main-1`, B);
    expect(chooseRef(P, "main", C, existing, never)).toEqual({ ref: `${P}main-2`, old: null, status: "diverged" });
  });
  test("a later fast-forward of the -1 ref moves it", () => {
    const existing = new Map([
      [`${P}main`, A],
      [`${P}main-1`, B],
    ]);
    expect(chooseRef(P, "main", C, existing, (o) => o === B)).toEqual({ ref: `${P}main-1`, old: B, status: "diverged" });
  });
  test("reserved names start at -1 (a branch called wip)", () => {
    expect(chooseRef(P, "wip", A, new Map(), never, { reserved: true }).ref).toBe(`${P}wip-1`);
  });
  test("names taken in this harvest and folder clashes are skipped", () => {
    expect(chooseRef(P, "x", A, new Map(), never, { taken: new Set([`${P}x`]) }).ref).toBe(`${P}x-1`);
    expect(chooseRef(P, "a", A, new Map([[`${P}a/b`, B]]), never).ref).toBe(`${P}a-1`);
  });
  test("shortRef", () => expect(shortRef(`${P}main`)).toBe("bot-bottle/dev-abc123/main"));
});
