import { defineCommand } from "citty";
import { jsonArg, planArgs, planFromArgs, printJson } from "./common.ts";
import { redactPlan } from "../plan/redact.ts";
import { formatPlan } from "../plan/format.ts";

export default defineCommand({
  meta: { name: "plan", description: "Resolve a bottle and print its plan (nothing starts)" },
  args: {
    bottle: { type: "positional", required: true, description: "Bottle name from the manifest" },
    ...planArgs,
    ...jsonArg,
  },
  async run({ args }) {
    const plan = redactPlan(await planFromArgs(args, args.bottle));
    if (args.json) return printJson(plan);
    process.stdout.write(formatPlan(plan) + "\n");
  },
});
