// `bot-bottle allow ID HOST… [--push REMOTE=PATTERN]`: let a running bottle
// reach more hosts (or push to more refs) now, without a restart.
import { defineCommand, type PositionalArgDef } from "citty";
import type { VariadicMark } from "./strict.ts";

/** Several hosts: the strict parser lets a variadic positional repeat. */
const hosts: PositionalArgDef & VariadicMark = {
  type: "positional",
  required: false,
  description: "Host patterns: api.example.com, *.example.com, host:8443; several allowed",
  valueHint: "HOST…",
  variadic: true,
};
import { jsonArg, repeatedFlag } from "./common.ts";
import { applyPolicyChange } from "./policy-change.ts";

export default defineCommand({
  meta: { name: "allow", description: "Allow hosts (or --push ref patterns) for a running bottle, live" },
  args: {
    id: { type: "positional", required: true, description: "Bottle identity (or a unique prefix)", valueHint: "ID" },
    hosts,
    push: { type: "string", description: "A git push ref pattern to allow (repeatable): REMOTE=PATTERN", valueHint: "REMOTE=PATTERN" },
    ...jsonArg,
  },
  async run({ args, rawArgs }) {
    const hosts = (args._ as string[]).slice(1);
    await applyPolicyChange("allow", args.id, hosts, repeatedFlag(rawArgs, "push"), !!args.json);
  },
});
