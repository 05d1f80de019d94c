import { describe, expect, test } from "bun:test";
import { envFlagValues, listArg, repeatedFlag } from "../../../src/cli/common.ts";

describe("repeatedFlag", () => {
  test.each([
    [["plan", "dev"], []],
    [["plan", "dev", "--env", "A=1"], ["A=1"]],
    [["--env", "A=1", "--env", "B=2", "-e", "C=3"], ["A=1", "B=2", "C=3"]],
    [["--env=A=1", "-e=B=x=y"], ["A=1", "B=x=y"]],
    // After `--` the words belong to the agent's command.
    [["-e", "A=1", "--", "-e", "B=2"], ["A=1"]],
    // A flag at the very end has no value.
    [["--env"], []],
    [["--environment", "x", "-ex"], []],
  ])("%j → %j", (argv, want) => {
    expect(repeatedFlag(argv, "env", "e")).toEqual(want);
  });
});

describe("envFlagValues", () => {
  test.each([
    ["citty kept the last of three: all three from argv", "C=3", ["--env", "A=1", "-e", "B=2", "--env", "C=3"], ["A=1", "B=2", "C=3"]],
    ["no flag at all", undefined, ["plan", "dev"], []],
    ["argv is someone else's (programmatic call): trust citty", "A=1", ["bun", "test"], ["A=1"]],
    ["an array from citty is kept when argv disagrees", ["A=1", "B=2"], [], ["A=1", "B=2"]],
  ])("%s", (_why, parsed, argv, want) => {
    expect(envFlagValues(parsed, argv)).toEqual(want);
  });
});

describe("listArg", () => {
  test.each([
    [undefined, []],
    [false, []],
    ["x", ["x"]],
    [["x", "y"], ["x", "y"]],
    [[1, 2], ["1", "2"]],
  ])("%p → %p", (v, want) => {
    expect(listArg(v)).toEqual(want);
  });
});
