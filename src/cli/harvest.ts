// `bot-bottle harvest ID`: bring a bottle's work home now (running, stopped,
// or gone with its export kept). The summary goes to stderr; --json prints
// `{harvest: {refs, wip, files, …}}` for scripts.
import { defineCommand } from "citty";
import { driverFor } from "../backends/registry.ts";
import { openDb } from "../state/db.ts";
import { findOneBottle } from "./cli-support.ts";
import { harvestAndReport } from "../lifecycle/harvest-gate.ts";
import { harvestJson } from "../harvest/summary.ts";
import { BottleError } from "../util/errors.ts";
import { jsonArg, printJson } from "./common.ts";

export default defineCommand({
  meta: { name: "harvest", description: "Bring a bottle's commits and uncommitted work home as bot-bottle/ID/… branches" },
  args: {
    id: { type: "positional", required: true, description: "Bottle identity (or a unique prefix)" },
    ...jsonArg,
  },
  async run({ args }) {
    const db = openDb();
    try {
      const row = findOneBottle(db, args.id);
      if (!row.copy_cwd) {
        throw new BottleError("USAGE", `${row.identity} has no copy of a working directory to harvest`, { hint: "only bottles with copy_cwd = true are harvested; its pushes reach the git gate" });
      }
      const result = await harvestAndReport(db, row.plan, await driverFor(row.backend));
      if (args.json) printJson(harvestJson(result));
    } finally {
      db.close();
    }
  },
});
