import { afterAll, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendGitLog, formatGitLogEntry, readGitLog, type GitLogEntry } from "../../../../src/bundle/git-gate/log.ts";

const dir = mkdtempSync(join(tmpdir(), "bb-gitlog-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry: GitLogEntry = {
  at: "2026-01-02T03:04:05.000Z",
  repo: "origin",
  result: "refused",
  updates: [{ ref: "refs/heads/main", old: "a".repeat(40), new: "b".repeat(40), kind: "update", ok: false, reason: "refs/heads/main is outside the allowed refs" }],
};

test("append then read round-trips; a torn last line is skipped; a missing file is empty", () => {
  const file = join(dir, "sub", "git-gate.jsonl");
  expect(readGitLog(file)).toEqual([]);
  appendGitLog(file, entry);
  appendGitLog(file, { ...entry, result: "accepted", updates: [{ ...entry.updates[0]!, ok: true, reason: undefined }] });
  appendFileSync(file, '{"at":"2026-01-02T03:0');
  const read = readGitLog(file);
  expect(read.map((e) => e.result)).toEqual(["refused", "accepted"]);
  expect(read[0]).toEqual(entry);
});

test("formatGitLogEntry: one line per update with short shas and the reason", () => {
  expect(formatGitLogEntry(entry)).toEqual([
    "2026-01-02 03:04:05  refused   origin  update refs/heads/main aaaaaaa..bbbbbbb  (refs/heads/main is outside the allowed refs)",
  ]);
  const failed = formatGitLogEntry({ ...entry, result: "failed", error: "denied" });
  expect(failed[1]).toContain("remote said: denied");
});
