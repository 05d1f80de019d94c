// `bot-bottle run BOTTLE -p TASK` / `run BOTTLE -- CMD…`: non-interactive,
// exits with the agent's exit code. Without a terminal it does not ask y/N.
import { defineCommand } from "citty";
import { planArgs } from "./common.ts";
import { startBottle, startFlags } from "./start.ts";
import { argsAfterDashDash } from "./cli-support.ts";

export default defineCommand({
  meta: { name: "run", description: "Run a bottle non-interactively: -p TASK, or -- COMMAND…; exits with the agent's code" },
  args: {
    bottle: { type: "positional", required: true, description: "Bottle name from the manifest" },
    prompt: { type: "string", alias: "p", description: "Task for the agent", valueHint: "TASK" },
    ...planArgs,
    ...startFlags,
  },
  async run({ args, rawArgs }) {
    process.exitCode = await startBottle("run", args, argsAfterDashDash(rawArgs));
  },
});
