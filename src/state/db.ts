// bun:sqlite under the XDG state dir. WAL + a generous busy timeout so many
// bot-bottle processes (launches, gc, the dashboard) can write at once.
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { BottleError } from "../util/errors.ts";
import { stateDir } from "../util/paths.ts";
import { MIGRATIONS } from "./schema.ts";

export const BUSY_TIMEOUT_MS = 10_000;

export function dbPath(env: Record<string, string | undefined> = process.env): string {
  return join(stateDir(env), "state.db");
}

export function openDb(path: string = dbPath()): Database {
  if (path !== ":memory:") mkdirSync(join(path, ".."), { recursive: true, mode: 0o700 });
  let db: Database;
  try {
    db = new Database(path, { create: true, strict: true });
  } catch (e) {
    throw new BottleError("STATE", `cannot open state database ${path}: ${(e as Error).message}`, {
      hint: "check that the directory is writable, or set XDG_STATE_HOME",
    });
  }
  // busy_timeout first: even switching to WAL can meet a concurrent writer.
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  migrate(db);
  return db;
}

export function migrate(db: Database): number {
  const current = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  if (current > MIGRATIONS.length) {
    throw new BottleError("STATE", `state database is version ${current}, newer than this bot-bottle (${MIGRATIONS.length})`, {
      hint: "upgrade bot-bottle, or point XDG_STATE_HOME elsewhere",
    });
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    // BEGIN IMMEDIATE takes the write lock up front, so two processes cannot both migrate.
    db.transaction(() => {
      const now = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
      if (now > v) return;
      db.exec(MIGRATIONS[v]!);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    }).immediate();
  }
  return MIGRATIONS.length;
}
