import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  effectivePolicy,
  emptyPolicy,
  parseLivePolicy,
  readLivePolicy,
  updateLivePolicy,
  withAllowed,
  withDenied,
  withPush,
} from "../../../../src/bundle/policy/live-policy.ts";
import { PolicyWatcher } from "../../../../src/bundle/policy/watcher.ts";

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), "bb-pol-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("live policy (pure)", () => {
  test("allow lifts a deny; deny drops a live allow; both stay unique", () => {
    let p = withAllowed(emptyPolicy(), ["a.com", "b.com", "a.com"]);
    expect(p.allow).toEqual(["a.com", "b.com"]);
    p = withDenied(p, ["a.com"]);
    expect(p).toMatchObject({ allow: ["b.com"], deny: ["a.com"] });
    p = withAllowed(p, ["a.com"]);
    expect(p).toMatchObject({ allow: ["b.com", "a.com"], deny: [] });
  });

  test("effective: manifest + live allows, minus denies (a deny beats the manifest); push replaced per repo", () => {
    const live = withPush(withDenied(withAllowed(emptyPolicy(), ["x.com"]), ["m.com"]), "origin", ["bot-bottle/*"]);
    const eff = effectivePolicy({ allow: ["m.com", "n.com"], push: { origin: ["bot-bottle/id/*"], other: ["o/*"] } }, live);
    expect(eff.allow).toEqual(["n.com", "x.com"]);
    expect(eff.deny).toEqual(["m.com"]);
    expect(eff.push).toEqual({ origin: ["bot-bottle/*"], other: ["o/*"] });
  });

  test("a file that is not a policy is refused with a reason", () => {
    expect(() => parseLivePolicy("{", "p.json")).toThrow(/not JSON/);
    expect(() => parseLivePolicy(JSON.stringify({ ...emptyPolicy(), allow: ["Not A Host!"] }), "p.json")).toThrow(/not a valid policy/);
    expect(() => parseLivePolicy(JSON.stringify({ ...emptyPolicy(), extra: 1 }), "p.json")).toThrow(/not a valid policy/);
  });
});

describe("updateLivePolicy", () => {
  test("bumps rev, records who, publishes by rename (no temp files left)", () => {
    const d = fresh();
    const f = join(d, "policy.json");
    expect(readLivePolicy(f).rev).toBe(0);
    const one = updateLivePolicy(f, "bot-bottle allow", (p) => withAllowed(p, ["a.com"]));
    const two = updateLivePolicy(f, "bot-bottle deny", (p) => withDenied(p, ["a.com"]));
    expect([one.rev, two.rev]).toEqual([1, 2]);
    expect(readLivePolicy(f)).toMatchObject({ rev: 2, by: "bot-bottle deny", allow: [], deny: ["a.com"] });
    expect(readdirSync(d).sort()).toEqual(["policy.json"]);
  });

  test("concurrent writers (other processes) lose no change", async () => {
    const d = fresh();
    const f = join(d, "policy.json");
    const script = (h: string) => `import { updateLivePolicy, withAllowed } from ${JSON.stringify(join(import.meta.dir, "../../../../src/bundle/policy/live-policy.ts"))};
for (let i = 0; i < 20; i++) updateLivePolicy(${JSON.stringify(f)}, "t", (p) => withAllowed(p, ["${h}" + i + ".com"]));`;
    const procs = ["a", "b", "c"].map((h) => {
      const file = join(d, `${h}.ts`);
      writeFileSync(file, script(h));
      return Bun.spawn([process.execPath, file], { stdout: "ignore", stderr: "inherit" });
    });
    await Promise.all(procs.map((p) => p.exited));
    const p = readLivePolicy(f);
    expect(p.allow).toHaveLength(60);
    expect(p.rev).toBe(60);
  }, 30_000);
});

describe("PolicyWatcher", () => {
  test("applies each new version whole, keeps the last good one on a bad file", () => {
    const d = fresh();
    const f = join(d, "policy.json");
    const applied: string[][] = [];
    const errors: string[] = [];
    const w = new PolicyWatcher({ file: f, base: { allow: ["m.com"], push: {} }, apply: (eff) => applied.push(eff.allow), onError: (m) => errors.push(m) });
    expect(w.check()).toBe(false);
    updateLivePolicy(f, "t", (p) => withAllowed(p, ["x.com"]));
    expect(w.check()).toBe(true);
    expect(w.check()).toBe(false);
    writeFileSync(f, "{ not json and longer than before");
    expect(w.check()).toBe(false);
    expect(errors[0]).toContain("not JSON");
    expect(applied).toEqual([["m.com", "x.com"]]);
  });
});
