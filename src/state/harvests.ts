// One harvest record per bottle: the launch base (what `diff` compares
// against and what an export leaves out), the last result or failure, and
// every tip already brought home. `ls`, `rm` and `gc` read it.
import type { Database } from "bun:sqlite";
import type { HarvestRecord, HarvestResult, HarvestStatus, LaunchBase } from "../harvest/types.ts";

interface Raw {
  identity: string;
  base_json: string;
  status: HarvestStatus;
  result_json: string | null;
  error: string | null;
  tips_json: string;
  applied: number;
  at: string | null;
}

const now = () => new Date().toISOString();
/** Enough to leave out of the next export everything harvested before. */
const MAX_TIPS = 500;

function fromRaw(r: Raw): HarvestRecord {
  return {
    identity: r.identity,
    base: JSON.parse(r.base_json),
    status: r.status,
    result: r.result_json ? JSON.parse(r.result_json) : null,
    error: r.error,
    tips: JSON.parse(r.tips_json),
    applied: !!r.applied,
    at: r.at,
  };
}

export function setLaunchBase(db: Database, identity: string, base: LaunchBase): void {
  db.query(
    `INSERT INTO harvests (identity, base_json) VALUES ($identity, $base)
     ON CONFLICT(identity) DO UPDATE SET base_json = excluded.base_json`,
  ).run({ identity, base: JSON.stringify(base) });
}

export function getHarvest(db: Database, identity: string): HarvestRecord | null {
  const r = db.query("SELECT * FROM harvests WHERE identity = $identity").get({ identity }) as Raw | null;
  return r ? fromRaw(r) : null;
}

export function listHarvests(db: Database): Map<string, HarvestRecord> {
  return new Map((db.query("SELECT * FROM harvests").all() as Raw[]).map((r) => [r.identity, fromRaw(r)]));
}

export function recordHarvestOk(db: Database, identity: string, result: HarvestResult, at = now()): void {
  db.transaction(() => {
    const prev = getHarvest(db, identity);
    const tips = [...new Set([...result.refs.map((r) => r.sha), ...(result.wip ? [result.wip.sha] : []), ...(prev?.tips ?? [])])].slice(0, MAX_TIPS);
    // A new files export has not been applied yet; a git harvest has nothing to apply to be safe.
    const same = !!prev?.applied && !!result.fingerprint && prev.result?.fingerprint === result.fingerprint;
    const applied = result.kind === "files" && (result.files === 0 || same) ? 1 : 0;
    db.query(
      `INSERT INTO harvests (identity, status, result_json, error, tips_json, applied, at)
       VALUES ($identity, 'ok', $result, NULL, $tips, $applied, $at)
       ON CONFLICT(identity) DO UPDATE SET status = 'ok', result_json = excluded.result_json, error = NULL,
         tips_json = excluded.tips_json, applied = excluded.applied, at = excluded.at`,
    ).run({ identity, result: JSON.stringify(result), tips: JSON.stringify(tips), applied, at });
  }).immediate();
}

export function recordHarvestFailed(db: Database, identity: string, error: string, at = now()): void {
  db.query(
    `INSERT INTO harvests (identity, status, error, at) VALUES ($identity, 'failed', $error, $at)
     ON CONFLICT(identity) DO UPDATE SET status = 'failed', error = excluded.error, at = excluded.at`,
  ).run({ identity, error, at });
}

export function markApplied(db: Database, identity: string): void {
  db.query("UPDATE harvests SET applied = 1 WHERE identity = $identity").run({ identity });
}

export function deleteHarvest(db: Database, identity: string): void {
  db.query("DELETE FROM harvests WHERE identity = $identity").run({ identity });
}

/** What removing this bottle's folder and record would lose, or null when nothing. */
export function unharvestedWork(rec: HarvestRecord | null): string | null {
  if (!rec) return null;
  if (rec.status === "failed") return `its last harvest failed (${rec.error ?? "unknown error"}); the export is kept in its folder`;
  if (rec.status === "ok" && rec.result?.kind === "files" && rec.result.files > 0 && !rec.applied) {
    return `${rec.result.files} changed file(s) exported from a non-git folder and not applied`;
  }
  return null;
}
