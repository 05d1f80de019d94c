// `bot-bottle attach ID`: rejoin the interactive session of a running bottle
// after its terminal dropped (SSH hung up, window closed). The agent kept
// running under a session holder in the bottle; this reconnects to it.
import { defineCommand } from "citty";
import { driverFor } from "../backends/registry.ts";
import { openDb } from "../state/db.ts";
import { BottleError } from "../util/errors.ts";
import { findOneBottle } from "./cli-support.ts";
import { rejoinBottle } from "../lifecycle/session.ts";
import { isInteractive } from "./common.ts";
import type { CliMeta } from "./strict.ts";

const meta: CliMeta = {
  name: "attach",
  description: "Rejoin a running bottle's interactive session after its terminal dropped; exits with the agent's code",
  passesExitCode: true,
};

export default defineCommand({
  meta,
  args: { id: { type: "positional", required: true, description: "Bottle identity (or a unique prefix)" } },
  async run({ args }) {
    if (!isInteractive()) {
      throw new BottleError("USAGE", "`attach` joins an interactive session and needs a terminal", {
        hint: `\`bot-bottle logs ${args.id} -f\` follows a bottle from scripts`,
      });
    }
    const db = openDb();
    try {
      const row = findOneBottle(db, args.id);
      process.exitCode = await rejoinBottle({ plan: row.plan, driver: await driverFor(row.backend), db });
    } finally {
      db.close();
    }
  },
});
