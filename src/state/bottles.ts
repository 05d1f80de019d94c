// The bottles table and its events: what `ls`, `resume`, `stop`, `rm`, `gc` read.
import type { Database } from "bun:sqlite";
import type { BottlePlan } from "../plan/types.ts";
import { redactPlan } from "../plan/redact.ts";

export type BottleStatus = "creating" | "running" | "stopped" | "exited" | "failed" | "removed";

export interface BottleRow {
  identity: string;
  bottle: string;
  agent: string;
  backend: string;
  cwd: string;
  copy_cwd: boolean;
  started_at: string;
  stopped_at: string | null;
  status: BottleStatus;
  keep: boolean;
  plan: BottlePlan;
}

interface RawRow extends Omit<BottleRow, "copy_cwd" | "keep" | "plan"> {
  copy_cwd: number;
  keep: number;
  plan_json: string;
}

function fromRaw(r: RawRow): BottleRow {
  const { plan_json, ...rest } = r;
  return { ...rest, copy_cwd: !!r.copy_cwd, keep: !!r.keep, plan: JSON.parse(plan_json) };
}

const now = () => new Date().toISOString();

/** Record a bottle before anything starts, so half-made bottles are visible to ls and gc. */
export function recordBottle(db: Database, plan: BottlePlan, keep = false, at = now()): void {
  // Row and event together, under the write lock from the start (BEGIN IMMEDIATE):
  // a deferred transaction that upgrades to a write can fail with SQLITE_BUSY in WAL mode.
  db.transaction(() => {
    db.query(
      `INSERT INTO bottles (identity, bottle, agent, backend, cwd, copy_cwd, started_at, status, keep, plan_json)
       VALUES ($identity, $bottle, $agent, $backend, $cwd, $copy, $at, 'creating', $keep, $plan)`,
    ).run({
      identity: plan.identity,
      bottle: plan.bottle,
      agent: plan.agent.name,
      backend: plan.backend,
      cwd: plan.cwd,
      copy: plan.copyCwd ? 1 : 0,
      at,
      keep: keep ? 1 : 0,
      plan: JSON.stringify(redactPlan(plan)),
    });
    addEvent(db, plan.identity, "recorded", { backend: plan.backend }, at);
  }).immediate();
}

export function setStatus(db: Database, identity: string, status: BottleStatus, at = now()): void {
  const stopped = status === "running" || status === "creating" ? null : at;
  db.transaction(() => {
    db.query("UPDATE bottles SET status = $status, stopped_at = $stopped WHERE identity = $identity").run({
      identity,
      status,
      stopped,
    });
    addEvent(db, identity, `status:${status}`, {}, at);
  }).immediate();
}

export function setKeep(db: Database, identity: string, keep: boolean): void {
  db.query("UPDATE bottles SET keep = $keep WHERE identity = $identity").run({ identity, keep: keep ? 1 : 0 });
}

export function getBottleRow(db: Database, identity: string): BottleRow | null {
  const r = db.query("SELECT * FROM bottles WHERE identity = $identity").get({ identity }) as RawRow | null;
  return r ? fromRaw(r) : null;
}

/** Exact identity, or a unique prefix of one (like docker's ids). */
export function findBottleRow(db: Database, idOrPrefix: string): BottleRow[] {
  const exact = getBottleRow(db, idOrPrefix);
  if (exact) return [exact];
  const rows = db
    .query("SELECT * FROM bottles WHERE identity LIKE $p ESCAPE '\\' ORDER BY started_at DESC")
    .all({ p: idOrPrefix.replace(/[\\%_]/g, (c) => "\\" + c) + "%" }) as RawRow[];
  return rows.map(fromRaw);
}

export function listBottleRows(db: Database, opts: { all?: boolean } = {}): BottleRow[] {
  const sql = opts.all
    ? "SELECT * FROM bottles ORDER BY started_at DESC"
    : "SELECT * FROM bottles WHERE status != 'removed' ORDER BY started_at DESC";
  return (db.query(sql).all() as RawRow[]).map(fromRaw);
}

export function deleteBottleRow(db: Database, identity: string): void {
  db.transaction(() => {
    db.query("DELETE FROM events WHERE identity = $identity").run({ identity });
    db.query("DELETE FROM bottles WHERE identity = $identity").run({ identity });
  }).immediate();
}

export interface EventRow {
  id: number;
  identity: string;
  at: string;
  kind: string;
  data: Record<string, unknown>;
}

export function addEvent(db: Database, identity: string, kind: string, data: Record<string, unknown> = {}, at = now()): void {
  db.query("INSERT INTO events (identity, at, kind, data_json) VALUES ($identity, $at, $kind, $data)").run({
    identity,
    at,
    kind,
    data: JSON.stringify(data),
  });
}

export function listEvents(db: Database, identity: string, kindPrefix = ""): EventRow[] {
  const rows = db
    .query("SELECT * FROM events WHERE identity = $identity AND kind LIKE $k ESCAPE '\\' ORDER BY id")
    .all({ identity, k: kindPrefix.replace(/[\\%_]/g, (c) => "\\" + c) + "%" }) as (Omit<EventRow, "data"> & { data_json: string })[];
  return rows.map(({ data_json, ...r }) => ({ ...r, data: JSON.parse(data_json) }));
}
