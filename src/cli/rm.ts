// `bot-bottle rm ID…`: remove containers/networks, the state row and the host folder.
import { rmSync } from "node:fs";
import { defineCommand, type PositionalArgDef } from "citty";
import type { VariadicMark } from "./strict.ts";
import { consola } from "consola";
import { driverFor } from "../backends/registry.ts";
import { openDb } from "../state/db.ts";
import { deleteBottleRow } from "../state/bottles.ts";
import { bottleDir } from "../state/bottle-files.ts";
import { BottleError } from "../util/errors.ts";
import { findOneBottle } from "./cli-support.ts";
import { gateTeardown } from "../lifecycle/harvest-gate.ts";
import { deleteHarvest } from "../state/harvests.ts";
import { listArg } from "./common.ts";

const ids: PositionalArgDef & VariadicMark = { type: "positional", required: true, description: "Bottle identity (or a unique prefix); several allowed", variadic: true };

export default defineCommand({
  meta: { name: "rm", description: "Remove bottles: containers, networks, state and files" },
  args: {
    id: ids,
    force: { type: "boolean", alias: "f", description: "Remove even if running, and without bringing its work home first" },
  },
  async run({ args }) {
    const ids = [...new Set([args.id, ...listArg(args._).filter((a) => a !== args.id)])];
    const db = openDb();
    try {
      for (const id of ids) {
        const row = findOneBottle(db, id);
        const driver = await driverFor(row.backend);
        if (!args.force && (await driver.status(row.plan)) === "running") {
          throw new BottleError("USAGE", `${row.identity} is running`, { hint: `stop it first, or \`bot-bottle rm -f ${row.identity}\`` });
        }
        // Nothing is lost without -f: the work comes home first, or the bottle stays.
        await gateTeardown(db, row.plan, driver, { force: !!args.force, command: "rm" });
        await driver.remove(row.plan);
        deleteBottleRow(db, row.identity);
        deleteHarvest(db, row.identity);
        rmSync(bottleDir(row.identity), { recursive: true, force: true });
        consola.success(`removed ${row.identity}`);
      }
    } finally {
      db.close();
    }
  },
});
