import { expect, test } from "bun:test";
import { cpuMs, statCpuTicks } from "../../../scripts/bench/lib/proc-cpu.ts";

test("utime + stime from a stat line, whatever the command name holds", () => {
  const tail = "S 1 1 1 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 9 0 100 1000000 500";
  expect(statCpuTicks(`4242 (bun) ${tail}`)).toBe(325);
  expect(statCpuTicks(`4242 (a b) (c)) ${tail}`)).toBe(325);
  expect(() => statCpuTicks("4242 (x) S")).toThrow();
});

test("this process has used some CPU", () => {
  const ms = cpuMs(process.pid);
  if (Number.isNaN(ms)) return void console.log("no /proc here: skipped");
  expect(ms).toBeGreaterThan(0);
});
