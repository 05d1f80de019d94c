// `bot-bottle resume ID`: reopen a kept bottle on its recorded backend.
import { defineCommand } from "citty";
import { consola } from "consola";
import { driverFor } from "../backends/registry.ts";
import { openDb } from "../state/db.ts";
import { isInteractive } from "./common.ts";
import { argsAfterDashDash, findOneBottle } from "./cli-support.ts";
import type { CliMeta } from "./strict.ts";
import { resumeBottle } from "../lifecycle/session.ts";

const meta: CliMeta = {
  name: "resume",
  description: "Start a kept bottle again and attach (or --detach, or -- COMMAND…)",
  takesCommand: true,
  passesExitCode: true,
};

export default defineCommand({
  meta,
  args: {
    id: { type: "positional", required: true, description: "Bottle identity (or a unique prefix)" },
    detach: { type: "boolean", alias: "d", description: "Only start it (then `exec`, `stop`)" },
    prompt: { type: "string", alias: "p", description: "Run this task non-interactively instead of a session", valueHint: "TASK" },
  },
  async run({ args, rawArgs }) {
    const db = openDb();
    try {
      const row = findOneBottle(db, args.id);
      const driver = await driverFor(row.backend);
      const command = argsAfterDashDash(rawArgs);
      const interactive = !command && args.prompt === undefined && isInteractive();
      const attach = args.detach ? undefined : { interactive, prompt: args.prompt, command };
      process.exitCode = await resumeBottle({ plan: row.plan, driver, db, attach });
      if (args.detach) consola.success(`${row.identity} is running`);
    } finally {
      db.close();
    }
  },
});
