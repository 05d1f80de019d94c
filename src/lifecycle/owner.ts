// Which live process owns a bottle (is making it or attached to it), so `gc`
// run from another terminal never tears down a bottle that is in use.
import type { Database } from "bun:sqlite";
import { hostname } from "node:os";
import { addEvent, listEvents } from "../state/bottles.ts";
import { pidAlive } from "../util/process.ts";

export function claimOwner(db: Database, identity: string): void {
  addEvent(db, identity, "owner:claim", { pid: process.pid, host: hostname() });
}

export function releaseOwner(db: Database, identity: string): void {
  addEvent(db, identity, "owner:release", { pid: process.pid, host: hostname() });
}


export function ownerAlive(db: Database, identity: string, isAlive: (pid: number) => boolean = pidAlive): boolean {
  const last = listEvents(db, identity, "owner:").at(-1);
  if (!last || last.kind !== "owner:claim") return false;
  const { pid, host } = last.data as { pid?: number; host?: string };
  return typeof pid === "number" && host === hostname() && isAlive(pid);
}
