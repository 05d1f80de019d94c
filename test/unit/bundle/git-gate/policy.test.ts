import { describe, expect, test } from "bun:test";
import {
  decideUpdate,
  forwardRefspecs,
  fullRefPattern,
  isSafeRefName,
  pushAllowed,
  refMatches,
  refusalMessage,
  updateKind,
  type PushRules,
} from "../../../../src/bundle/git-gate/policy.ts";

const Z = "0".repeat(40);
const A = "a".repeat(40);
const B = "b".repeat(40);
const rules: PushRules = { push: ["bot-bottle/dev-1/*"], allowForce: false, allowDelete: false };

describe("fullRefPattern", () => {
  test.each([
    ["bot-bottle/x/*", "refs/heads/bot-bottle/x/*"],
    ["main", "refs/heads/main"],
    ["refs/tags/v*", "refs/tags/v*"],
  ])("%s → %s", (p, want) => expect(fullRefPattern(p)).toBe(want));
});

describe("refMatches", () => {
  test.each([
    ["refs/heads/bot-bottle/dev-1/feature", ["bot-bottle/dev-1/*"], true],
    ["refs/heads/bot-bottle/dev-1/fix/typo", ["bot-bottle/dev-1/*"], true],
    ["refs/heads/bot-bottle/dev-2/feature", ["bot-bottle/dev-1/*"], false],
    ["refs/heads/bot-bottle/dev-1", ["bot-bottle/dev-1/*"], false],
    ["refs/heads/main", ["bot-bottle/dev-1/*"], false],
    ["refs/tags/bot-bottle/dev-1/x", ["bot-bottle/dev-1/*"], false],
    ["refs/tags/v1.2", ["refs/tags/v*"], true],
    ["refs/heads/main", ["main"], true],
    ["refs/heads/mainx", ["main"], false],
    ["refs/heads/a.b", ["a.b"], true],
    ["refs/heads/aXb", ["a.b"], false],
    ["refs/heads/anything", [], false],
  ] as const)("%s against %j → %s", (ref, patterns, want) => expect(refMatches(ref, [...patterns])).toBe(want));
});

describe("updateKind", () => {
  test.each([
    [{ ref: "r", old: Z, new: A }, false, "create"],
    [{ ref: "r", old: A, new: Z }, false, "delete"],
    [{ ref: "r", old: A, new: B }, true, "update"],
    [{ ref: "r", old: A, new: B }, false, "force"],
  ] as const)("%j ancestor=%s → %s", (u, anc, want) => expect(updateKind(u, anc)).toBe(want));
});

describe("decideUpdate", () => {
  const ok = "refs/heads/bot-bottle/dev-1/f";
  test.each([
    ["create on an allowed branch", ok, "create", rules, true, undefined],
    ["fast-forward on an allowed branch", ok, "update", rules, true, undefined],
    ["force refused by default", ok, "force", rules, false, "non-fast-forward"],
    ["force allowed when configured", ok, "force", { ...rules, allowForce: true }, true, undefined],
    ["delete refused by default", ok, "delete", rules, false, "deleting"],
    ["delete allowed when configured", ok, "delete", { ...rules, allowDelete: true }, true, undefined],
    ["main is outside", "refs/heads/main", "update", rules, false, "outside the allowed refs"],
    ["outside wins over allowForce", "refs/heads/main", "force", { ...rules, allowForce: true }, false, "outside"],
    ["odd ref names are refused", "refs/heads/bot-bottle/dev-1/a b", "create", rules, false, "not a ref name"],
  ] as const)("%s", (_name, ref, kind, r, wantOk, reasonHas) => {
    const d = decideUpdate({ ref, old: A, new: B }, kind, r);
    expect(d.ok).toBe(wantOk);
    expect(d.kind).toBe(kind);
    if (reasonHas) expect(d.reason).toContain(reasonHas);
    else expect(d.reason).toBeUndefined();
  });
});

describe("isSafeRefName", () => {
  test.each([
    ["refs/heads/bot-bottle/x/y", true],
    ["refs/tags/v1.0", true],
    ["HEAD", false],
    ["refs/heads/a..b", false],
    ["refs/heads/a:b", false],
    ["refs/heads/+x", false],
    ["refs/heads/x.lock", false],
    ["refs/heads/x/", false],
  ] as const)("%s → %s", (ref, want) => expect(isSafeRefName(ref)).toBe(want));
});

describe("pushAllowed and forwardRefspecs", () => {
  const create = decideUpdate({ ref: "refs/heads/bot-bottle/dev-1/a", old: Z, new: A }, "create", rules);
  const force = decideUpdate({ ref: "refs/heads/bot-bottle/dev-1/b", old: A, new: B }, "force", { ...rules, allowForce: true });
  const del = decideUpdate({ ref: "refs/heads/bot-bottle/dev-1/c", old: A, new: Z }, "delete", { ...rules, allowDelete: true });
  const main = decideUpdate({ ref: "refs/heads/main", old: A, new: B }, "update", rules);

  test("all or nothing", () => {
    expect(pushAllowed([create, force, del])).toBe(true);
    expect(pushAllowed([create, main])).toBe(false);
    expect(pushAllowed([])).toBe(false);
  });

  test("refspecs: plain, forced with +, deletes with an empty source", () => {
    expect(forwardRefspecs([create, force, del])).toEqual([
      `${A}:refs/heads/bot-bottle/dev-1/a`,
      `+${B}:refs/heads/bot-bottle/dev-1/b`,
      ":refs/heads/bot-bottle/dev-1/c",
    ]);
  });

  test("the refusal names each refused ref, the allowed patterns and an example", () => {
    const lines = refusalMessage([create, main], rules);
    expect(lines[0]).toBe("bot-bottle git gate: push refused.");
    expect(lines).toContain("  refused  refs/heads/main is outside the allowed refs");
    expect(lines).toContain("Allowed refs: refs/heads/bot-bottle/dev-1/*");
    expect(lines.some((l) => l.includes("not sent"))).toBe(true);
    expect(lines.at(-1)).toBe("Push your branch as e.g.: git push origin HEAD:bot-bottle/dev-1/my-change");
  });
});
