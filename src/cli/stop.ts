// `bot-bottle stop ID…`: stop without removing (resume reopens it).
import { defineCommand } from "citty";
import { consola } from "consola";
import { driverFor } from "../backends/registry.ts";
import { openDb } from "../state/db.ts";
import { setKeep, setStatus } from "../state/bottles.ts";
import { findOneBottle } from "./cli-support.ts";

export default defineCommand({
  meta: { name: "stop", description: "Stop a bottle, keeping it for `resume`" },
  args: { id: { type: "positional", required: true, description: "Bottle identity (or a unique prefix)" } },
  async run({ args }) {
    const db = openDb();
    try {
      const row = findOneBottle(db, args.id);
      const driver = await driverFor(row.backend);
      await driver.stop(row.plan);
      setKeep(db, row.identity, true);
      setStatus(db, row.identity, "stopped");
      consola.success(`stopped ${row.identity}`);
    } finally {
      db.close();
    }
  },
});
