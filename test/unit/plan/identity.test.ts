import { describe, expect, test } from "bun:test";
import { checkIdentity, IDENTITY_RE, makeIdentity } from "../../../src/plan/identity.ts";
import { thrown } from "../../helpers/thrown.ts";

/** A deterministic random source cycling through `values`. */
const seq = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe("makeIdentity", () => {
  test("is <agent>-<6 chars> from the injected random source", () => {
    expect(makeIdentity("dev", seq(0))).toBe("dev-aaaaaa");
    expect(makeIdentity("dev", seq(0.999999))).toBe("dev-999999");
    // 36-letter alphabet: index 1/36 → "b", 26/36 → "0".
    expect(makeIdentity("dev", seq(1 / 36, 26 / 36))).toBe("dev-b0b0b0");
  });

  test("is deterministic for the same random sequence and varies with it", () => {
    const a = makeIdentity("coder", seq(0.1, 0.5, 0.9));
    expect(makeIdentity("coder", seq(0.1, 0.5, 0.9))).toBe(a);
    expect(makeIdentity("coder", seq(0.2, 0.5, 0.9))).not.toBe(a);
  });

  test.each([
    ["My Agent", "my-agent"],
    ["claude_code", "claude-code"],
    ["--dev--", "dev"],
    ["Ünïcode Bot!", "n-code-bot"],
    ["!!!", "bottle"],
    ["", "bottle"],
    ["a".repeat(60), "a".repeat(40)],
    // The 40-char cut lands inside a run of separators: no "--" before the suffix.
    ["b".repeat(39) + "___x", "b".repeat(39)],
  ])("sanitises agent name %p to base %p", (agent, base) => {
    const id = makeIdentity(agent, seq(0));
    expect(id).toBe(`${base}-aaaaaa`);
    expect(IDENTITY_RE.test(id)).toBe(true);
    expect(checkIdentity(id)).toBe(id);
  });

  test("real random identities always pass checkIdentity", () => {
    for (let i = 0; i < 200; i++) expect(IDENTITY_RE.test(makeIdentity("Some Agent_" + i))).toBe(true);
  });
});

describe("checkIdentity", () => {
  test.each(["ab", "dev-1a2b3c", "a".repeat(48), "x-y-z"])("accepts %p", (id) => {
    expect(checkIdentity(id)).toBe(id);
  });

  test.each(["a", "Dev-abc", "-dev", "dev-", "dev_abc", "dev abc", "a".repeat(49), "../etc"])("rejects %p as a usage error", (id) => {
    const e = thrown(() => checkIdentity(id));
    expect(e.code).toBe("USAGE");
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain(id);
  });
});
