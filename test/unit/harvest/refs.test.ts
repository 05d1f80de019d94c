import { describe, expect, test } from "bun:test";
import { chooseRef, isCandidateRef, refPrefix, safeBranchName, shortRef } from "../../../src/harvest/refs.ts";

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

describe("folder clashes between the wip snapshot and bottle branches", () => {
  const never = () => false;
  test("a bottle branch wip/x next to the wip snapshot chosen in the same harvest lands as wip-1/x", () => {
    const taken = new Set([`${P}wip`]);
    expect(chooseRef(P, "wip/x", A, new Map(), never, { taken }).ref).toBe(`${P}wip-1/x`);
  });
  test("a wip snapshot next to an earlier harvested wip/x lands as wip-1", () => {
    expect(chooseRef(P, "wip", A, new Map([[`${P}wip/x`, B]]), never).ref).toBe(`${P}wip-1`);
  });
  test("a name under a ref chosen in this harvest is skipped (a/b after a)", () => {
    const taken = new Set([`${P}a`]);
    expect(chooseRef(P, "a/b/c", A, new Map(), never, { taken }).ref).toBe(`${P}a-1/b/c`);
  });
  test("the renamed folder fast-forwards on the next harvest", () => {
    const existing = new Map([
      [`${P}wip`, C],
      [`${P}wip-1/x`, A],
    ]);
    expect(chooseRef(P, "wip/x", B, existing, (o, n) => o === A && n === B)).toEqual({ ref: `${P}wip-1/x`, old: A, status: "moved" });
  });
  test("isCandidateRef knows every name chooseRef can give, and nothing else", () => {
    for (const name of ["wip/x", "wip/x-1", "wip-1/x", "wip-12/x", "wip/x-3"]) expect(isCandidateRef(P, "wip/x", P + name)).toBe(true);
    for (const name of ["wip", "wip-0/x", "wip/xy", "wip-1/x/y", "wipx", "other/wip/x", "wip.x"]) expect(isCandidateRef(P, "wip/x", P + name)).toBe(false);
    expect(isCandidateRef(P, "a.b", P + "a.b-2")).toBe(true);
    expect(isCandidateRef(P, "a.b", P + "aXb")).toBe(false);
    expect(isCandidateRef("refs/heads/bot-bottle/other/", "main", P + "main")).toBe(false);
  });
});
