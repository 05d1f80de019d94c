import { describe, expect, test } from "bun:test";
import { anonBytes, MemoryPressure, memoryPressure } from "../../../../src/bundle/proxy/memory-pressure.ts";

const MiB = 1024 * 1024;

function harness(anon: number) {
  let now = 0;
  let collected = 0;
  const state = { anon, now: (t: number) => (now = t) };
  const p = new MemoryPressure({ softLimit: 64 * MiB, checkEvery: 4 * MiB, minIntervalMs: 100, anon: () => state.anon, collect: () => collected++, now: () => now });
  return { p, state, collected: () => collected };
}

describe("MemoryPressure", () => {
  test("under the soft limit nothing is collected, however much passes", () => {
    const h = harness(40 * MiB);
    for (let i = 0; i < 100; i++) expect(h.p.note(MiB)).toBe(false);
    expect(h.collected()).toBe(0);
  });
  test("past it: memory is looked at once per 4 MiB of bodies, and collected", () => {
    const h = harness(90 * MiB);
    expect(h.p.note(3 * MiB)).toBe(false);
    expect(h.p.note(MiB)).toBe(true);
    expect(h.collected()).toBe(1);
  });
  test("at most one collection per interval, however hard it is pushed", () => {
    const h = harness(90 * MiB);
    let n = 0;
    for (let t = 0; t < 1000; t += 10) {
      h.state.now(t);
      if (h.p.note(8 * MiB)) n++;
    }
    expect(n).toBe(10);
    expect(h.p.collections).toBe(10);
  });
  test("memory that cannot be read never triggers a collection", () => {
    const h = harness(NaN);
    for (let i = 0; i < 10; i++) h.p.note(16 * MiB);
    expect(h.collected()).toBe(0);
  });
  test("anonBytes: resident minus shared pages, NaN when unreadable or malformed", () => {
    expect(anonBytes(() => "765 423 395 5 0 123 0")).toBe(28 * 4096);
    expect(anonBytes(() => "garbage")).toBeNaN();
    expect(
      anonBytes(() => {
        throw new Error("ENOENT");
      }),
    ).toBeNaN();
    const real = anonBytes();
    expect(real).toBeGreaterThan(MiB);
  });
  test("the default wiring reads this process's memory and runs the real collector", () => {
    const p = memoryPressure({ softLimit: 0, checkEvery: 1, minIntervalMs: 0 });
    expect(p.note(1)).toBe(true);
  });
});
