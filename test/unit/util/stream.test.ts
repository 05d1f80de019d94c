import { describe, expect, test } from "bun:test";
import { spawnStream } from "../../../src/util/stream.ts";

describe("spawnStream", () => {
  test("lines go to onLine as they come; the exit code and the last lines come back", async () => {
    const seen: string[] = [];
    const r = await spawnStream(["sh", "-c", "echo one; echo two >&2; printf three; exit 3"], { echo: false, onLine: (l) => seen.push(l) });
    expect(r.code).toBe(3);
    expect(seen.sort()).toEqual(["one", "three", "two"]);
    expect(r.tail.sort()).toEqual(["one", "three", "two"]);
  });
  test("a line that never ends is passed on in bounded pieces", async () => {
    const seen: string[] = [];
    const r = await spawnStream(["sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x; echo; echo done"], { echo: false, onLine: (l) => seen.push(l) });
    expect(r.code).toBe(0);
    // Cut at the first read past 64 KiB: pieces are bounded by that plus one pipe read, never the whole line.
    expect(seen.length).toBeGreaterThan(3);
    expect(Math.max(...seen.map((l) => l.length))).toBeLessThan(500_000);
    expect(seen.join("").replace("done", "").length).toBe(1_000_000);
    expect(seen.at(-1)).toBe("done");
    expect(r.tail.length).toBeLessThanOrEqual(21);
  });
});
