// `bot-bottle deny ID HOST… [--push REMOTE=PATTERN]`: refuse hosts to a running
// bottle now (even ones its manifest allows; never asked about again), or
// take a push ref pattern away, without a restart.
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
  meta: { name: "deny", description: "Deny hosts (or remove --push ref patterns) for a running bottle, live" },
  args: {
    id: { type: "positional", required: true, description: "Bottle identity (or a unique prefix)", valueHint: "ID" },
    hosts,
    push: { type: "string", description: "A git push ref pattern to remove (repeatable): REMOTE=PATTERN", valueHint: "REMOTE=PATTERN" },
    ...jsonArg,
  },
  async run({ args, rawArgs }) {
    const hosts = (args._ as string[]).slice(1);
    await applyPolicyChange("deny", args.id, hosts, repeatedFlag(rawArgs, "push"), !!args.json);
  },
});
