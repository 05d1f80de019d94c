// Many bot-bottle processes share one state database (parallel launches, gc,
// the dashboard). 20 separate processes write to a fresh database at once:
// none may see SQLITE_BUSY ("database is locked"), and nothing may be lost.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../../src/state/db.ts";
import { MIGRATIONS } from "../../src/state/schema.ts";

const WORKERS = 20;
const ROUNDS = 40;
/** Events per kept round: recorded, status:running, note, status:stopped. */
const EVENTS_PER_ROUND = 4;
/** Every 5th round deletes its bottle (and its events) again, like gc. */
const KEPT = WORKERS * (ROUNDS - Math.floor(ROUNDS / 5));

const dir = mkdtempSync(join(tmpdir(), "bb-state-conc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test(
  `${WORKERS} processes writing one fresh database never hit a lock error and lose nothing`,
  async () => {
    const path = join(dir, "state.db");
    const worker = join(import.meta.dir, "support", "state-writer.ts");
    const started = performance.now();
    const procs = Array.from({ length: WORKERS }, (_, i) =>
      Bun.spawn([process.execPath, worker, path, String(i), String(ROUNDS)], {
        stdout: "pipe",
        stderr: "pipe",
        timeout: 90_000,
      }),
    );
    const results = await Promise.all(
      procs.map(async (p) => ({
        code: await p.exited,
        stdout: await new Response(p.stdout).text(),
        stderr: await new Response(p.stderr).text(),
      })),
    );
    const elapsed = Math.round(performance.now() - started);
    console.log(`state concurrency: ${WORKERS} processes × ${ROUNDS} rounds in ${elapsed} ms`);

    const failures = results.filter((r) => r.code !== 0);
    expect(failures.map((r) => r.stderr.trim())).toEqual([]);
    for (const r of results) expect(JSON.parse(r.stdout)).toMatchObject({ rounds: ROUNDS, errors: 0 });

    const db = openDb(path);
    try {
      const count = (sql: string) => (db.query(sql).get() as { n: number }).n;
      expect(count("SELECT count(*) AS n FROM bottles")).toBe(KEPT);
      expect(count("SELECT count(*) AS n FROM bottles WHERE status = 'stopped' AND stopped_at IS NOT NULL")).toBe(KEPT);
      expect(count("SELECT count(*) AS n FROM events")).toBe(KEPT * EVENTS_PER_ROUND);
      expect(count("SELECT count(DISTINCT identity) AS n FROM events")).toBe(KEPT);
      expect(count("SELECT count(*) AS n FROM events WHERE identity = 'w7-r4'")).toBe(0);
      // Every worker's own sequence of events is intact and in order.
      const kinds = db.query("SELECT kind FROM events WHERE identity = 'w7-r3' ORDER BY id").all() as { kind: string }[];
      expect(kinds.map((k) => k.kind)).toEqual(["recorded", "status:running", "note", "status:stopped"]);
      expect((db.query("PRAGMA user_version").get() as { user_version: number }).user_version).toBe(MIGRATIONS.length);
      expect((db.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
    } finally {
      db.close();
    }
  },
  120_000,
);
