import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../../../src/state/db.ts";
import { recordBottle } from "../../../src/state/bottles.ts";
import { writeAnswer, writeRequest, type SuperviseRequest } from "../../../src/bundle/supervise/protocol.ts";
import { answerItem, findPending, hostSuperviseDir, itemStatus, loadInbox, prepareSuperviseDir, type InboxItem } from "../../../src/supervise/inbox.ts";
import type { BottlePlan } from "../../../src/plan/types.ts";

const root = mkdtempSync(join(tmpdir(), "bb-inbox-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { XDG_STATE_HOME: root, HOME: root };
const NOW = new Date("2026-05-01T12:00:00Z");

const req = (over: Partial<SuperviseRequest> = {}): SuperviseRequest => ({
  id: "aaaaaa111111",
  kind: "approval",
  action: "x",
  reason: "",
  at: "2026-05-01T11:59:00.000Z",
  expiresAt: "2026-05-01T12:05:00.000Z",
  ...over,
});
const item = (r: SuperviseRequest, answer: InboxItem["answer"] = null): InboxItem => ({ identity: "b1", dir: "/nowhere", request: r, answer });

describe("itemStatus", () => {
  test.each([
    ["waiting", item(req()), "pending"],
    ["notification", item(req({ kind: "notify" })), "info"],
    ["answered", item(req(), { id: "aaaaaa111111", decision: "deny", note: "", at: "t", by: "operator" }), "deny"],
    ["past its deadline with no answer (daemon gone)", item(req({ expiresAt: "2026-05-01T11:00:00.000Z" })), "expired"],
    ["just past its deadline: still the daemon's to answer", item(req({ expiresAt: "2026-05-01T11:59:50.000Z" })), "pending"],
  ] as const)("%s → %s", (_n, it, want) => expect(itemStatus(it, NOW)).toBe(want));
});

describe("findPending", () => {
  const items = [item(req()), item(req({ id: "aaaaaa222222" })), item(req({ id: "bbbbbb000000", kind: "notify" }))];
  test("a unique prefix", () => expect(findPending(items, "aaaaaa1", NOW).request.id).toBe("aaaaaa111111"));
  test("ambiguous", () => expect(() => findPending(items, "aaaaaa", NOW)).toThrow("matches 2 requests"));
  test("unknown, and notifications are not answerable", () => {
    expect(() => findPending(items, "cc", NOW)).toThrow("no approval request cc");
    expect(() => findPending(items, "bbbbbb", NOW)).toThrow("no approval request");
  });
  test("answered already", () => {
    const answered = [item(req(), { id: "aaaaaa111111", decision: "timeout", note: "", at: "t", by: "daemon" })];
    expect(() => findPending(answered, "aaaaaa", NOW)).toThrow("already timeout");
  });
});

test("loadInbox reads every recorded bottle's folder and answers once", () => {
  const db = openDb(":memory:");
  for (const id of ["dev-one111", "dev-two222"]) {
    recordBottle(db, { identity: id, bottle: "dev", agent: { name: "dev" }, backend: "docker", cwd: "/p", copyCwd: false, env: [], bundleEnv: [] } as unknown as BottlePlan);
  }
  const d1 = prepareSuperviseDir("dev-one111", env);
  const d2 = hostSuperviseDir("dev-two222", env);
  expect(d1).toBe(join(root, "bot-bottle", "bottles", "dev-one111", "bundle", "supervise"));
  prepareSuperviseDir("dev-two222", env);
  writeRequest(d1, req({ id: "111111aaaaaa", action: "one", expiresAt: new Date(Date.now() + 60_000).toISOString() }));
  writeRequest(d2, req({ id: "222222aaaaaa", action: "two", at: "2026-05-01T11:58:00.000Z", expiresAt: new Date(Date.now() + 60_000).toISOString() }));
  writeAnswer(d2, { id: "222222aaaaaa", decision: "approve", note: "", at: "t", by: "operator" });

  const items = loadInbox(db, env);
  expect(items.map((i) => [i.identity, i.request.action, itemStatus(i)])).toEqual([
    ["dev-two222", "two", "approve"],
    ["dev-one111", "one", "pending"],
  ]);
  expect(loadInbox(db, env, "dev-one").map((i) => i.request.id)).toEqual(["111111aaaaaa"]);

  const it = findPending(items, "111111");
  expect(answerItem(db, it, "approve", "ok").decision).toBe("approve");
  expect(() => answerItem(db, it, "deny")).toThrow("answered already (approve)");
  const rows = db.query("SELECT id, status, answer_note FROM approvals ORDER BY id").all();
  expect(rows).toEqual([
    { id: "111111aaaaaa", status: "approve", answer_note: "ok" },
    { id: "222222aaaaaa", status: "approve", answer_note: "" },
  ]);
  db.close();
});
