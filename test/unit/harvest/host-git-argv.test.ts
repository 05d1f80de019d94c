import { describe, expect, test } from "bun:test";
import { fetchBundleArgv, mergeArgv, statusArgv, updateRefArgv, updateRefStdin } from "../../../src/harvest/host-git-argv.ts";

const QUIET = ["-c", "core.logAllRefUpdates=false", "-c", "gc.auto=0", "-c", "maintenance.auto=false", "-c", "fetch.writeCommitGraph=false"];

describe("host git argv", () => {
  test("fetch brings objects only: no destination, no FETCH_HEAD, no tags, no reflog, no auto gc", () => {
    expect(fetchBundleArgv("/r", "/s/export.bundle", ["refs/heads/main"])).toEqual([
      "git", "-C", "/r", ...QUIET, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-auto-gc", "--no-recurse-submodules", "/s/export.bundle", "refs/heads/main",
    ]);
  });
  test("refs are written in one verified transaction", () => {
    expect(updateRefArgv("/r")).toEqual(["git", "-C", "/r", ...QUIET, "update-ref", "--no-deref", "--stdin", "-z"]);
    expect(updateRefStdin([
      { ref: "refs/heads/bot-bottle/x/main", sha: "b".repeat(40), old: null },
      { ref: "refs/heads/bot-bottle/x/f", sha: "c".repeat(40), old: "a".repeat(40) },
    ])).toBe(`create refs/heads/bot-bottle/x/main\0${"b".repeat(40)}\0update refs/heads/bot-bottle/x/f\0${"c".repeat(40)}\0${"a".repeat(40)}\0`);
  });
  test("apply checks tracked changes only and merges with a fixed message", () => {
    expect(statusArgv("/r")).toContain("--untracked-files=no");
    expect(mergeArgv("/r", "refs/heads/bot-bottle/x/main", "m")).toEqual(["git", "-C", "/r", "merge", "--no-edit", "-m", "m", "refs/heads/bot-bottle/x/main"]);
  });
});
