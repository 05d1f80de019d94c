// `bot-bottle launch BOTTLE`: an interactive session in the bottle.
import { defineCommand } from "citty";
import { planArgs } from "./common.ts";
import { startBottle, startFlags } from "./start.ts";

export default defineCommand({
  meta: { name: "launch", description: "Start a bottle and attach an interactive session" },
  args: {
    bottle: { type: "positional", required: true, description: "Bottle name from the manifest" },
    ...planArgs,
    ...startFlags,
  },
  async run({ args }) {
    process.exitCode = await startBottle("launch", args);
  },
});
