import { describe, expect, test } from "bun:test";
import { isYes, preflightAction } from "../../../src/lifecycle/preflight.ts";

describe("preflightAction", () => {
  const cases: [string, Parameters<typeof preflightAction>[0], ReturnType<typeof preflightAction>][] = [
    ["dry-run wins", { mode: "launch", yes: true, dryRun: true, interactive: false }, "dry-run"],
    ["launch in a terminal asks", { mode: "launch", yes: false, dryRun: false, interactive: true }, "ask"],
    ["launch --yes proceeds", { mode: "launch", yes: true, dryRun: false, interactive: true }, "proceed"],
    ["launch without a terminal is refused", { mode: "launch", yes: true, dryRun: false, interactive: false }, "needs-terminal"],
    ["run in a terminal asks", { mode: "run", yes: false, dryRun: false, interactive: true }, "ask"],
    ["run from a script proceeds", { mode: "run", yes: false, dryRun: false, interactive: false }, "proceed"],
    ["run --yes proceeds", { mode: "run", yes: true, dryRun: false, interactive: true }, "proceed"],
  ];
  for (const [name, input, want] of cases) test(name, () => expect(preflightAction(input)).toBe(want));
});

test.each([
  ["y", true],
  ["YES", true],
  [" yes ", true],
  ["", false],
  ["n", false],
  ["yeah", false],
])("isYes(%p) = %p", (a, want) => expect(isYes(a)).toBe(want));
