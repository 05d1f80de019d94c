// `bot-bottle run BOTTLE -p TASK` / `run BOTTLE -- CMD…`: non-interactive,
// exits with the agent's exit code. Without a terminal it does not ask y/N.
import { defineCommand } from "citty";
import { planArgs } from "./common.ts";
import { startBottle, startFlags } from "./start.ts";
import { argsAfterDashDash } from "./cli-support.ts";
import type { CliMeta } from "./strict.ts";

const meta: CliMeta = {
  name: "run",
  description: "Run a bottle non-interactively: -p TASK, or -- COMMAND…; exits with the agent's code",
  takesCommand: true,
  passesExitCode: true,
};

export default defineCommand({
  meta,
  args: {
    bottle: { type: "positional", required: true, description: "Bottle name from the manifest" },
    prompt: { type: "string", alias: "p", description: "Task for the agent", valueHint: "TASK" },
    unattended: {
      type: "enum",
      options: ["deny", "allow-listed"],
      description: 'Nobody will answer (on_deny = "ask"): deny questions at once, or only allow-listed hosts (no questions)',
    },
    ...planArgs,
    ...startFlags,
  },
  async run({ args, rawArgs }) {
    process.exitCode = await startBottle("run", args, argsAfterDashDash(rawArgs));
  },
});
