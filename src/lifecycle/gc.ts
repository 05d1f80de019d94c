// Pure: what `gc` removes. Resources are the containers/networks labelled with
// a bottle identity (and this state database); rows are the bottles table.
import type { BottleRow } from "../state/bottles.ts";

export interface GcInput {
  /** Identities that still have containers or networks. */
  withResources: string[];
  rows: BottleRow[];
  /** Is the process that launched this bottle still alive (it owns a bottle being made or attached)? */
  ownerAlive: (identity: string) => boolean;
  /** Backends that could not be asked (engine down, binary gone): their bottles are unknown, never collected. */
  unknownBackends?: string[];
}

export interface GcPlan {
  /** Remove containers and networks of these identities. */
  removeResources: string[];
  /** Delete these state rows (and their host folders). */
  deleteRows: string[];
  /** Left alone because their backend could not be asked. */
  unknown: string[];
}

/** A bottle worth keeping: kept and stopped or running, or being used by a live process. */
function isLive(row: BottleRow, ownerAlive: boolean): boolean {
  if (ownerAlive && (row.status === "creating" || row.status === "running")) return true;
  return row.keep && (row.status === "running" || row.status === "stopped");
}

export function planGc(i: GcInput): GcPlan {
  // A backend that cannot be asked is unknown, never gone: its rows and their resources stay.
  const unknownBackends = new Set(i.unknownBackends ?? []);
  const unknown = i.rows.filter((r) => unknownBackends.has(r.backend)).map((r) => r.identity);
  const skip = new Set(unknown);
  const rows = new Map(i.rows.filter((r) => !skip.has(r.identity)).map((r) => [r.identity, r]));
  const has = new Set(i.withResources);
  const removeResources: string[] = [];
  const deleteRows: string[] = [];
  for (const id of [...has].sort()) {
    if (skip.has(id)) continue;
    const row = rows.get(id);
    if (!row || !isLive(row, i.ownerAlive(id))) removeResources.push(id);
  }
  for (const row of rows.values()) {
    const live = isLive(row, i.ownerAlive(row.identity));
    // Resources gone (or about to be): the row only describes history.
    if (!live && (!has.has(row.identity) || removeResources.includes(row.identity))) deleteRows.push(row.identity);
    // A kept bottle whose containers vanished (docker prune, engine reset) is gone too.
    else if (live && !has.has(row.identity) && !i.ownerAlive(row.identity)) deleteRows.push(row.identity);
  }
  return { removeResources, deleteRows: deleteRows.sort(), unknown: unknown.sort() };
}
