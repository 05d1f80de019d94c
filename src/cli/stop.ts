// `bot-bottle stop ID…`: stop without removing (resume reopens it).
import { defineCommand } from "citty";
import { consola } from "consola";
import { driverFor } from "../backends/registry.ts";
import { openDb } from "../state/db.ts";
import { addEvent, setKeep, setStatus } from "../state/bottles.ts";
import { STOP_EVENT } from "../lifecycle/session.ts";
import { findOneBottle } from "./cli-support.ts";
import { harvestAndReport } from "../lifecycle/harvest-gate.ts";

export default defineCommand({
  meta: { name: "stop", description: "Stop a bottle, keeping it for `resume`" },
  args: { id: { type: "positional", required: true, description: "Bottle identity (or a unique prefix)" } },
  async run({ args }) {
    const db = openDb();
    try {
      const row = findOneBottle(db, args.id);
      const driver = await driverFor(row.backend);
      // Harvest first; stopping loses nothing, so it proceeds even when the harvest fails (reported after).
      let harvestError: unknown;
      if (row.plan.copyCwd) await harvestAndReport(db, row.plan, driver).catch((e) => (harvestError = e));
      // Kept and announced before anything stops: the CLI attached to it reads this when its agent ends,
      // and keeps the bottle instead of removing it (only `rm` removes).
      setKeep(db, row.identity, true);
      addEvent(db, row.identity, STOP_EVENT, { pid: process.pid });
      await driver.stop(row.plan);
      setStatus(db, row.identity, "stopped");
      consola.success(`stopped ${row.identity} (kept: \`bot-bottle resume ${row.identity}\` reopens it)`);
      if (harvestError) throw harvestError;
    } finally {
      db.close();
    }
  },
});
