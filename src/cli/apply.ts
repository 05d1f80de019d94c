// `bot-bottle apply ID [--branch B]`: merge the harvested work into the host
// repo's current branch (or write a non-git export's files). Refuses on a
// dirty tree or a conflict, and leaves the repo as it was.
import { mkdirSync } from "node:fs";
import { defineCommand } from "citty";
import { consola } from "consola";
import { driverFor } from "../backends/registry.ts";
import { openDb } from "../state/db.ts";
import { getHarvest, markApplied } from "../state/harvests.ts";
import { findOneBottle } from "./cli-support.ts";
import { harvestAndReport } from "../lifecycle/harvest-gate.ts";
import { gitApply } from "../lifecycle/review-git.ts";
import { filesApply } from "../lifecycle/review-files.ts";
import { BottleError } from "../util/errors.ts";
import { inert } from "../util/inert.ts";
import { harvestDir } from "../state/bottle-files.ts";
import { jsonArg, printJson } from "./common.ts";
import { reviewArgs } from "./diff.ts";

export default defineCommand({
  meta: { name: "apply", description: "Merge a bottle's harvested work into the current branch (or copy a non-git export's files)" },
  args: { ...reviewArgs, ...jsonArg },
  async run({ args }) {
    const db = openDb();
    try {
      const row = findOneBottle(db, args.id);
      if (!row.copy_cwd) throw new BottleError("USAGE", `${row.identity} has no copy of a working directory`, { hint: "apply works on bottles with copy_cwd = true" });
      if (row.status !== "removed") await harvestAndReport(db, row.plan, await driverFor(row.backend));
      const rec = getHarvest(db, row.identity);
      if (!rec?.result) throw new BottleError("HARVEST", `${row.identity} has no harvested work`, { hint: `\`bot-bottle harvest ${row.identity}\`` });
      if (rec.result.kind === "files") {
        const scratch = harvestDir(row.identity);
        mkdirSync(scratch, { recursive: true });
        const changes = await filesApply(rec.result, { scratch });
        markApplied(db, row.identity);
        if (args.json) return printJson({ identity: row.identity, kind: "files", dir: rec.result.target, files: changes.map((c) => ({ path: c.path, status: c.kind })) });
        consola.success(`applied ${changes.length} file change(s) from ${row.identity} to ${inert(rec.result.target)}`);
        return;
      }
      const { ref, head } = await gitApply(rec, { branch: args.branch });
      if (args.json) return printJson({ identity: row.identity, kind: "git", repo: rec.result.target, ref: ref.name, sha: ref.sha, head });
      consola.success(`merged ${inert(ref.name)} into ${inert(rec.result.target)} (HEAD ${head.slice(0, 9)})`);
    } finally {
      db.close();
    }
  },
});
