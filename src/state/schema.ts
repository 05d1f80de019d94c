// Versioned schema. Each migration runs once, in order, inside a transaction;
// PRAGMA user_version records how far a database has come.
export const MIGRATIONS: string[] = [
  // 1: bottles and their events
  `CREATE TABLE bottles (
     identity    TEXT PRIMARY KEY,
     bottle      TEXT NOT NULL,
     agent       TEXT NOT NULL,
     backend     TEXT NOT NULL,
     cwd         TEXT NOT NULL,
     copy_cwd    INTEGER NOT NULL DEFAULT 0,
     started_at  TEXT NOT NULL,
     stopped_at  TEXT,
     status      TEXT NOT NULL,
     keep        INTEGER NOT NULL DEFAULT 0,
     plan_json   TEXT NOT NULL
   );
   CREATE TABLE events (
     id        INTEGER PRIMARY KEY AUTOINCREMENT,
     identity  TEXT NOT NULL,
     at        TEXT NOT NULL,
     kind      TEXT NOT NULL,
     data_json TEXT NOT NULL DEFAULT '{}'
   );
   CREATE INDEX events_identity ON events(identity, id);`,
  // 2: approvals asked through supervise
  `CREATE TABLE approvals (
     id          TEXT PRIMARY KEY,
     identity    TEXT NOT NULL,
     at          TEXT NOT NULL,
     kind        TEXT NOT NULL,
     action      TEXT NOT NULL,
     reason      TEXT NOT NULL DEFAULT '',
     status      TEXT NOT NULL DEFAULT 'pending',
     answer_note TEXT,
     answered_at TEXT
   );
   CREATE INDEX approvals_pending ON approvals(status, at);`,
  // 3: what each bottle started from and what its last harvest brought home
  `CREATE TABLE harvests (
     identity    TEXT PRIMARY KEY,
     base_json   TEXT NOT NULL DEFAULT '{"kind":"none"}',
     status      TEXT NOT NULL DEFAULT 'none',
     result_json TEXT,
     error       TEXT,
     tips_json   TEXT NOT NULL DEFAULT '[]',
     applied     INTEGER NOT NULL DEFAULT 0,
     at          TEXT
   );`,
];
