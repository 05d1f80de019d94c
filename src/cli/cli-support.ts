// Helpers the lifecycle commands share: finding a bottle by id or prefix, the
// command after `--`, the preflight prompt.
import type { Database } from "bun:sqlite";
import { consola } from "consola";
import { openDb } from "../state/db.ts";
import { findBottleRow, listBottleRows, type BottleRow } from "../state/bottles.ts";
import { closest } from "../util/suggest.ts";
import { BottleError } from "../util/errors.ts";

/** Exactly one bottle for an identity or a unique prefix of one. */
export function findOneBottle(db: Database, idOrPrefix: string): BottleRow {
  const rows = findBottleRow(db, idOrPrefix);
  if (rows.length === 1) return rows[0]!;
  if (!rows.length) {
    const near = closest(idOrPrefix, listBottleRows(db, { all: true }).map((r) => r.identity));
    throw new BottleError("BOTTLE_NOT_FOUND", `no bottle ${idOrPrefix}`, { hint: near ? `did you mean \`${near}\`?` : "`bot-bottle ls` lists them" });
  }
  throw new BottleError("USAGE", `${idOrPrefix} matches ${rows.length} bottles: ${rows.map((r) => r.identity).join(", ")}`, {
    hint: "give more of the identity",
  });
}

/** One bottle's row, the database opened and closed around the look-up. */
export function lookUpBottle(idOrPrefix: string): BottleRow {
  const db = openDb();
  try {
    return findOneBottle(db, idOrPrefix);
  } finally {
    db.close();
  }
}

/** Everything after the first `--` (the command for `run … --` and `exec … --`). */
export function argsAfterDashDash(rawArgs: string[]): string[] | undefined {
  const i = rawArgs.indexOf("--");
  return i === -1 ? undefined : rawArgs.slice(i + 1);
}

export async function confirm(question: string): Promise<boolean> {
  const answer = await consola.prompt(question, { type: "confirm", initial: false, cancel: "default" });
  return answer === true;
}
