// `bot-bottle diff ID [--stat] [--json] [--branch B]`: the bottle's work
// against what it was copied from. A bottle that still exists is harvested
// first, so the diff is never stale.
import { mkdirSync } from "node:fs";
import type { Database } from "bun:sqlite";
import { defineCommand } from "citty";
import { driverFor } from "../backends/registry.ts";
import { openDb } from "../state/db.ts";
import { getHarvest } from "../state/harvests.ts";
import { findOneBottle } from "./cli-support.ts";
import { harvestAndReport } from "../lifecycle/harvest-gate.ts";
import { gitDiff } from "../lifecycle/review-git.ts";
import { filesDiff } from "../lifecycle/review-files.ts";
import { BottleError } from "../util/errors.ts";
import { inert } from "../util/inert.ts";
import { harvestDir } from "../state/bottle-files.ts";
import { jsonArg, printJson } from "./common.ts";

/**
 * What `diff` and `apply` review: the bottle's work, harvested first while the
 * bottle exists (so it is never stale), and a scratch folder for file exports.
 */
export async function harvestedWork(db: Database, id: string, verb: "diff" | "apply") {
  const row = findOneBottle(db, id);
  if (!row.copy_cwd) throw new BottleError("USAGE", `${row.identity} has no copy of a working directory`, { hint: `${verb} works on bottles with copy_cwd = true` });
  if (row.status !== "removed") await harvestAndReport(db, row.plan, await driverFor(row.backend));
  const rec = getHarvest(db, row.identity);
  if (!rec?.result) throw new BottleError("HARVEST", `${row.identity} has no harvested work`, { hint: `\`bot-bottle harvest ${row.identity}\`` });
  const scratch = harvestDir(row.identity);
  if (rec.result.kind === "files") mkdirSync(scratch, { recursive: true });
  return { row, rec, result: rec.result, scratch };
}

export const reviewArgs = {
  id: { type: "positional", required: true, description: "Bottle identity (or a unique prefix)" },
  branch: { type: "string", alias: "b", description: "Which harvested branch (default: uncommitted work, else the bottle's checked-out branch)", valueHint: "B" },
} as const;

export default defineCommand({
  meta: { name: "diff", description: "Show a bottle's work against the commit (or files) it was copied from" },
  args: {
    ...reviewArgs,
    stat: { type: "boolean", description: "Only a summary of changed files" },
    ...jsonArg,
  },
  async run({ args }) {
    const db = openDb();
    try {
      const { row, rec, result, scratch } = await harvestedWork(db, args.id, "diff");
      if (result.kind === "files") {
        const d = await filesDiff(result, { stat: !!args.stat, scratch });
        if (args.json) return printJson({ identity: row.identity, kind: "files", dir: result.target, files: d.changes.map((c) => ({ path: c.path, status: c.kind })) });
        process.stdout.write(inert(d.text, { multiline: true }));
        return;
      }
      const d = await gitDiff(rec, { branch: args.branch, stat: !!args.stat });
      if (args.json) return printJson({ identity: row.identity, kind: "git", repo: result.target, base: d.base, ref: d.ref.name, sha: d.ref.sha, files: d.files });
      process.stdout.write(inert(d.text, { multiline: true }));
    } finally {
      db.close();
    }
  },
});
