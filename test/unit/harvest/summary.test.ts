import { describe, expect, test } from "bun:test";
import { harvestJson, summaryLine } from "../../../src/harvest/summary.ts";
import type { HarvestResult } from "../../../src/harvest/types.ts";

const ref = (branch: string, status: "created" | "moved" | "unchanged", commits: number) => ({
  ref: `refs/heads/bot-bottle/x/${branch}`,
  name: `bot-bottle/x/${branch}`,
  branch,
  sha: "a".repeat(40),
  old: null,
  status,
  commits,
});
const base: HarvestResult = { identity: "x", kind: "git", target: "/repo", refs: [], wip: null, primary: null, base: null, files: 0, at: "t" };

describe("summaryLine", () => {
  test("refs, counts and files in one line", () => {
    const r = { ...base, refs: [ref("main", "created", 2), ref("old", "unchanged", 0)], wip: ref("wip", "created", 1), files: 4 };
    expect(summaryLine(r)).toBe("x: harvested into /repo: bot-bottle/x/main (new, +2 commits), bot-bottle/x/old (unchanged), bot-bottle/x/wip (uncommitted work); 4 files changed");
  });
  test("nothing new", () => expect(summaryLine({ ...base, refs: [ref("main", "unchanged", 0)] })).toBe("x: nothing new to harvest"));
  test("bottle-chosen names are inert on the terminal, raw in JSON", () => {
    const evil = { ...ref("main", "created", 1), name: "bot-bottle/x/\x1b[2Jmain" };
    expect(summaryLine({ ...base, refs: [evil] })).toContain("\\e[2Jmain");
    expect(harvestJson({ ...base, refs: [evil] }).harvest.refs).toEqual([{ ref: "bot-bottle/x/\x1b[2Jmain", branch: "main", sha: "a".repeat(40), old: null, status: "created", commits: 1 }]);
  });
  test("files exports", () => {
    expect(summaryLine({ ...base, kind: "files", files: 2 })).toContain("2 changed files exported");
  });
});
