// `bot-bottle exec ID [-t] -- CMD…`: run a command in a running bottle as the agent user.
import { defineCommand } from "citty";
import { driverFor } from "../backends/registry.ts";
import { BottleError } from "../util/errors.ts";
import { argsAfterDashDash, lookUpBottle } from "./cli-support.ts";
import type { CliMeta } from "./strict.ts";

const meta: CliMeta = { name: "exec", description: "Run a command in a running bottle: exec ID -- CMD…", takesCommand: true, passesExitCode: true };

export default defineCommand({
  meta,
  args: {
    id: { type: "positional", required: true, description: "Bottle identity (or a unique prefix)" },
    tty: { type: "boolean", alias: "t", description: "Allocate a terminal" },
  },
  async run({ args, rawArgs }) {
    const argv = argsAfterDashDash(rawArgs);
    if (!argv?.length) throw new BottleError("USAGE", "no command given", { hint: `bot-bottle exec ${args.id} -- COMMAND…` });
    const row = lookUpBottle(args.id);
    const driver = await driverFor(row.backend);
    const live = await driver.status(row.plan);
    if (live !== "running") {
      throw new BottleError("USAGE", `${row.identity} is not running (${live})`, { hint: `\`bot-bottle resume ${row.identity} --detach\` starts it` });
    }
    process.exitCode = await driver.exec(row.plan, argv, { tty: !!args.tty });
  },
});
