import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  answersDir,
  answerText,
  ensureSuperviseDirs,
  listRequests,
  newRequestId,
  readAnswer,
  requestsDir,
  writeAnswer,
  writeJsonAtomic,
  writeRequest,
  type SuperviseAnswer,
} from "../../../../src/bundle/supervise/protocol.ts";

const root = mkdtempSync(join(tmpdir(), "bb-proto-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("file protocol", () => {
  test("folders are created open to the bundle's user and the operator", () => {
    const dir = join(root, "a");
    ensureSuperviseDirs(dir);
    expect(statSync(requestsDir(dir)).mode & 0o777).toBe(0o777);
    expect(statSync(answersDir(dir)).mode & 0o777).toBe(0o777);
  });

  test("requests list oldest first, skipping temp files and garbage", () => {
    const dir = join(root, "b");
    ensureSuperviseDirs(dir);
    writeRequest(dir, { id: "bbbbbb", kind: "approval", action: "second", reason: "", at: "2026-01-01T00:00:02Z" });
    writeRequest(dir, { id: "aaaaaa", kind: "notify", action: "first", reason: "", at: "2026-01-01T00:00:01Z" });
    writeFileSync(join(requestsDir(dir), "junk.json"), "{not json");
    writeFileSync(join(requestsDir(dir), ".cccccc.json.1234.tmp"), "{}");
    writeFileSync(join(requestsDir(dir), "dddddd.json"), JSON.stringify({ id: "dddddd", kind: "shell" }));
    expect(listRequests(dir).map((r) => r.action)).toEqual(["first", "second"]);
    expect(listRequests(join(root, "missing"))).toEqual([]);
  });

  test("the first answer wins; atomic writes leave no temp files", () => {
    const dir = join(root, "c");
    ensureSuperviseDirs(dir);
    const a: SuperviseAnswer = { id: "abcdef", decision: "approve", note: "ok", at: "t", by: "operator" };
    expect(writeAnswer(dir, a)).toBe(true);
    expect(writeAnswer(dir, { ...a, decision: "timeout", by: "daemon" })).toBe(false);
    expect(readAnswer(dir, "abcdef")?.decision).toBe("approve");
    writeJsonAtomic(join(answersDir(dir), "x.json"), { a: 1 });
    writeJsonAtomic(join(answersDir(dir), "x.json"), { a: 2 });
    expect(readdirSync(answersDir(dir)).sort()).toEqual(["abcdef.json", "x.json"]);
    expect(readAnswer(dir, "missing")).toBeNull();
  });

  test("ids are 12 lowercase hex digits and differ", () => {
    const ids = new Set(Array.from({ length: 200 }, newRequestId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe("answerText", () => {
  const base = { id: "x", at: "t", by: "operator" as const };
  test.each([
    [{ ...base, decision: "approve" as const, note: "" }, "approved: the operator approved this action."],
    [{ ...base, decision: "approve" as const, note: "fine" }, "approved: the operator approved this action. Operator's note: fine"],
    [{ ...base, decision: "deny" as const, note: "no" }, "denied: the operator denied this action; do not do it. Operator's note: no"],
    [{ ...base, decision: "timeout" as const, note: "" }, "timeout: no answer within 30 seconds; treat this as denied."],
    [{ ...base, decision: "cancelled" as const, note: "" }, "cancelled: the request was withdrawn; treat this as denied."],
  ])("%j", (a, want) => expect(answerText(a, 30)).toBe(want));
});
