import { describe, expect, test } from "bun:test";
import { guardExport, statfsProbe } from "../../../src/lifecycle/export-guard.ts";

const GiB = 1024 ** 3;

describe("guardExport", () => {
  test("room all along: never aborts; done() stops the checks", async () => {
    let calls = 0;
    const g = guardExport("/x", () => (calls++, { available: 10 * GiB, total: 20 * GiB }), 5);
    await Bun.sleep(30);
    g.done();
    const seen = calls;
    await Bun.sleep(30);
    expect(calls).toBe(seen);
    expect(seen).toBeGreaterThan(1);
    expect(g.signal.aborted).toBe(false);
    expect(g.reason).toBeNull();
  });
  test("the disk runs low: the signal aborts (killing what it was given to) and says why", async () => {
    let free = 10 * GiB;
    const g = guardExport("/x", () => ({ available: free, total: 20 * GiB }), 5);
    const child = Bun.spawn(["sleep", "30"], { signal: g.signal });
    free = GiB / 2;
    expect(await child.exited).not.toBe(0);
    expect(g.signal.aborted).toBe(true);
    expect(g.reason).toContain("512.0 MiB free");
    g.done();
  });
  test("a disk that cannot be asked does not stop the export", async () => {
    const g = guardExport("/x", () => {
      throw new Error("ENOSYS");
    }, 5);
    await Bun.sleep(20);
    g.done();
    expect(g.signal.aborted).toBe(false);
  });
  test("statfsProbe reads a real file system", () => {
    const d = statfsProbe("/");
    expect(d.total).toBeGreaterThan(0);
    expect(d.available).toBeLessThanOrEqual(d.total);
  });
});
