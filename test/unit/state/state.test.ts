import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { migrate, openDb } from "../../../src/state/db.ts";
import { MIGRATIONS } from "../../../src/state/schema.ts";
import {
  addEvent,
  deleteBottleRow,
  findBottleRow,
  getBottleRow,
  listBottleRows,
  listEvents,
  recordBottle,
  setKeep,
  setStatus,
} from "../../../src/state/bottles.ts";
import type { BottlePlan } from "../../../src/plan/types.ts";
import { thrown } from "../../helpers/thrown.ts";
import { tempDirs } from "../../helpers/tmp.ts";
import { statePlan } from "../../helpers/plan.ts";

const tempDir = tempDirs("bb-state-");

const userVersion = (db: Database) => (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
const tables = (db: Database) =>
  (db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

/** The parts of a plan the state layer reads, plus one secret to prove redaction. */
function plan(identity: string, over: Partial<BottlePlan> = {}): BottlePlan {
  return statePlan(identity, {
    agent: { name: "coder" } as BottlePlan["agent"],
    copyCwd: true,
    env: [{ name: "GREETING", value: "hi", secret: false, source: "literal" }],
    bundleEnv: [{ name: "BOT_BOTTLE_CRED_0", value: "sk-ant-api03-SECRETSECRETSECRET", secret: true, source: "host" }],
    ...over,
  });
}

describe("migrations", () => {
  test("a new database is migrated to the latest version with every table", () => {
    const db = openDb(":memory:");
    expect(userVersion(db)).toBe(MIGRATIONS.length);
    expect(tables(db)).toEqual(["approvals", "bottles", "events", "harvests"]);
  });

  test("migrating again is a no-op, and data survives reopening a file database", () => {
    const path = join(tempDir(), "nested", "state.db");
    const db = openDb(path);
    recordBottle(db, plan("dev-aaaaaa"));
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(migrate(db)).toBe(MIGRATIONS.length);
    db.close();
    const again = openDb(path);
    expect(userVersion(again)).toBe(MIGRATIONS.length);
    expect(getBottleRow(again, "dev-aaaaaa")?.agent).toBe("coder");
    expect((again.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
    again.close();
  });

  test("a version-1 database is brought forward by the later migrations only", () => {
    const db = new Database(":memory:");
    db.exec(MIGRATIONS[0]!);
    db.exec("PRAGMA user_version = 1");
    db.exec("INSERT INTO events (identity, at, kind) VALUES ('old', 't', 'k')");
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(userVersion(db)).toBe(MIGRATIONS.length);
    expect(tables(db)).toContain("approvals");
    expect((db.query("SELECT count(*) AS n FROM events").get() as { n: number }).n).toBe(1);
  });

  test("a database from a newer bot-bottle is refused with a hint", () => {
    const db = new Database(":memory:");
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    const e = thrown(() => migrate(db));
    expect(e.code).toBe("STATE");
    expect(e.hint).toContain("upgrade");
  });
});

describe("bottles", () => {
  test("recordBottle stores the bottle as 'creating' with a redacted plan and a 'recorded' event", () => {
    const db = openDb(":memory:");
    recordBottle(db, plan("dev-aaaaaa"), true, "2026-01-01T00:00:00.000Z");
    const row = getBottleRow(db, "dev-aaaaaa")!;
    expect(row).toMatchObject({
      identity: "dev-aaaaaa",
      bottle: "dev",
      agent: "coder",
      backend: "docker",
      cwd: "/home/op/project",
      copy_cwd: true,
      keep: true,
      status: "creating",
      started_at: "2026-01-01T00:00:00.000Z",
      stopped_at: null,
    });
    expect(row.plan.env[0]!.value).toBe("hi");
    const raw = db.query("SELECT plan_json FROM bottles").get() as { plan_json: string };
    expect(raw.plan_json).not.toContain("SECRETSECRET");
    expect(listEvents(db, "dev-aaaaaa").map((e) => [e.kind, e.data])).toEqual([["recorded", { backend: "docker" }]]);
  });

  test("recording the same identity twice fails and leaves no stray event", () => {
    const db = openDb(":memory:");
    recordBottle(db, plan("dev-aaaaaa"));
    expect(() => recordBottle(db, plan("dev-aaaaaa"))).toThrow();
    expect(listEvents(db, "dev-aaaaaa")).toHaveLength(1);
  });

  test.each([
    ["running", null],
    ["creating", null],
    ["stopped", "2026-01-02T00:00:00.000Z"],
    ["exited", "2026-01-02T00:00:00.000Z"],
    ["failed", "2026-01-02T00:00:00.000Z"],
  ] as const)("setStatus %s sets stopped_at to %p and logs an event", (status, stoppedAt) => {
    const db = openDb(":memory:");
    recordBottle(db, plan("dev-aaaaaa"));
    setStatus(db, "dev-aaaaaa", status, "2026-01-02T00:00:00.000Z");
    expect(getBottleRow(db, "dev-aaaaaa")).toMatchObject({ status, stopped_at: stoppedAt });
    expect(listEvents(db, "dev-aaaaaa", "status:").map((e) => e.kind)).toEqual([`status:${status}`]);
  });

  test("setKeep toggles keep", () => {
    const db = openDb(":memory:");
    recordBottle(db, plan("dev-aaaaaa"));
    setKeep(db, "dev-aaaaaa", true);
    expect(getBottleRow(db, "dev-aaaaaa")!.keep).toBe(true);
    setKeep(db, "dev-aaaaaa", false);
    expect(getBottleRow(db, "dev-aaaaaa")!.keep).toBe(false);
  });

  describe("findBottleRow", () => {
    const db = openDb(":memory:");
    recordBottle(db, plan("dev-abc111"), false, "2026-01-01T00:00:01Z");
    recordBottle(db, plan("dev-abc222"), false, "2026-01-01T00:00:02Z");
    recordBottle(db, plan("dev-abc"), false, "2026-01-01T00:00:00Z");
    recordBottle(db, plan("qa_x-1"), false, "2026-01-01T00:00:03Z");
    recordBottle(db, plan("qaaxx-1"), false, "2026-01-01T00:00:04Z");

    test.each([
      ["an exact identity wins over longer ones it prefixes", "dev-abc", ["dev-abc"]],
      ["a unique prefix", "dev-abc1", ["dev-abc111"]],
      ["an ambiguous prefix returns all, newest first", "dev-ab", ["dev-abc222", "dev-abc111", "dev-abc"]],
      ["no match", "zzz", []],
      ["'_' is literal, not a LIKE wildcard", "qa_", ["qa_x-1"]],
      ["'%' is literal, not a LIKE wildcard", "%", []],
    ])("%s", (_why, q, want) => {
      expect(findBottleRow(db, q).map((r) => r.identity)).toEqual(want);
    });
  });

  test("listBottleRows hides removed bottles unless all; newest first", () => {
    const db = openDb(":memory:");
    recordBottle(db, plan("a-1"), false, "2026-01-01T00:00:01Z");
    recordBottle(db, plan("b-2"), false, "2026-01-01T00:00:02Z");
    recordBottle(db, plan("c-3"), false, "2026-01-01T00:00:03Z");
    setStatus(db, "b-2", "removed");
    expect(listBottleRows(db).map((r) => r.identity)).toEqual(["c-3", "a-1"]);
    expect(listBottleRows(db, { all: true }).map((r) => r.identity)).toEqual(["c-3", "b-2", "a-1"]);
  });

  test("deleteBottleRow removes the bottle and only its events", () => {
    const db = openDb(":memory:");
    recordBottle(db, plan("a-1"));
    recordBottle(db, plan("b-2"));
    addEvent(db, "a-1", "note");
    deleteBottleRow(db, "a-1");
    expect(getBottleRow(db, "a-1")).toBeNull();
    expect(listEvents(db, "a-1")).toEqual([]);
    expect(listEvents(db, "b-2")).toHaveLength(1);
  });
});

describe("events", () => {
  test("kept in insertion order with their data; filtered by a literal kind prefix", () => {
    const db = openDb(":memory:");
    addEvent(db, "x-1", "proxy:block", { host: "evil.test" }, "t1");
    addEvent(db, "x-1", "proxy:allow", { host: "ok.test" }, "t2");
    addEvent(db, "x-1", "proxy_other", {}, "t3");
    addEvent(db, "y-2", "proxy:block", {}, "t4");
    const all = listEvents(db, "x-1");
    expect(all.map((e) => [e.kind, e.at])).toEqual([
      ["proxy:block", "t1"],
      ["proxy:allow", "t2"],
      ["proxy_other", "t3"],
    ]);
    expect(all[0]!.data).toEqual({ host: "evil.test" });
    expect(all[0]!.id).toBeLessThan(all[1]!.id);
    expect(listEvents(db, "x-1", "proxy:").map((e) => e.kind)).toEqual(["proxy:block", "proxy:allow"]);
    // '_' must not match any character.
    expect(listEvents(db, "x-1", "proxy_").map((e) => e.kind)).toEqual(["proxy_other"]);
  });

  test("state writes nest inside a caller's transaction (savepoints) and roll back with it", () => {
    const db = openDb(":memory:");
    expect(() =>
      db.transaction(() => {
        recordBottle(db, plan("t-1"));
        setStatus(db, "t-1", "running");
        throw new Error("launch failed");
      })(),
    ).toThrow("launch failed");
    expect(getBottleRow(db, "t-1")).toBeNull();
    expect(listEvents(db, "t-1")).toEqual([]);
  });
});
