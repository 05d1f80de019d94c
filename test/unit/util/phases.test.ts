import { expect, test } from "bun:test";
import { consola } from "consola";
import { phaseLine, timed } from "../../../src/util/phases.ts";

test("phaseLine: name, duration and time since start, aligned", () => {
  expect(phaseLine("networks", 107.4, 178.2)).toBe("phase networks         107 ms  (t+178 ms)");
});

test("timed returns the value and logs one debug line, also when it throws", async () => {
  const lines: string[] = [];
  const orig = consola.debug;
  consola.debug = ((m: string) => void lines.push(m)) as typeof consola.debug;
  try {
    expect(await timed("plan", async () => 42)).toBe(42);
    await expect(timed("ca", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  } finally {
    consola.debug = orig;
  }
  expect(lines.map((l) => l.split(/\s+/)[1])).toEqual(["plan", "ca"]);
});
