import { describe, expect, test } from "bun:test";
import { BottleError, isBottleError } from "../../../src/util/errors.ts";

describe("BottleError", () => {
  test.each([
    ["everything", new BottleError("MANIFEST_INVALID", "bad", { file: "f.toml", line: 3, key: "a.b", hint: "fix it" }), "f.toml:3: a.b: bad — fix it"],
    ["file without line", new BottleError("MANIFEST_INVALID", "bad", { file: "f.toml", key: "a" }), "f.toml: a: bad"],
    ["key only", new BottleError("ENV_UNSET", "unset", { key: "bottles.x.env.A", hint: "export A" }), "bottles.x.env.A: unset — export A"],
    ["message only", new BottleError("DOCKER", "docker failed"), "docker failed"],
  ])("oneLine with %s", (_why, e, want) => {
    expect(e.oneLine()).toBe(want);
  });

  test.each([
    ["USAGE", 2],
    ["MANIFEST_PARSE", 2],
    ["MANIFEST_INVALID", 2],
    ["AGENT_NOT_FOUND", 2],
    ["ENV_NEEDS_PROMPT", 2],
    ["CONFIG", 2],
    ["DOCKER", 1],
    ["INTERNAL", 1],
  ] as const)("%s exits %i", (code, exit) => {
    expect(new BottleError(code, "m").exitCode).toBe(exit);
  });

  test("an explicit exit code wins; the cause is kept; JSON has no stack", () => {
    const cause = new Error("root");
    const e = new BottleError("BACKEND", "agent exited", { exitCode: 7, cause });
    expect(e.exitCode).toBe(7);
    expect(e.cause).toBe(cause);
    expect(isBottleError(e)).toBe(true);
    expect(isBottleError(cause)).toBe(false);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code: "BACKEND", message: "agent exited", exitCode: 7 });
  });
});
