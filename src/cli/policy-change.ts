// What `allow` and `deny` share: check the input, write the live policy,
// wait (briefly) until the running bundle says it applied it, report.
import { defineCommand, type PositionalArgDef } from "citty";
import { consola } from "consola";
import { lookUpBottle } from "./cli-support.ts";
import { changePolicy, checkHosts, waitApplied } from "../lifecycle/live-policy.ts";
import { BottleError } from "../util/errors.ts";
import { jsonArg, printJson, repeatedFlag } from "./common.ts";
import type { VariadicMark } from "./strict.ts";

/** Several hosts: the strict parser lets a variadic positional repeat. */
const hosts: PositionalArgDef & VariadicMark = {
  type: "positional",
  required: false,
  description: "Host patterns: api.example.com, *.example.com, host:8443; several allowed",
  valueHint: "HOST…",
  variadic: true,
};

/** The `allow` / `deny` command: the same arguments, one verb apart. */
export function policyCommand(verb: "allow" | "deny", text: { description: string; push: string }) {
  return defineCommand({
    meta: { name: verb, description: text.description },
    args: {
      id: { type: "positional", required: true, description: "Bottle identity (or a unique prefix)", valueHint: "ID" },
      hosts,
      push: { type: "string", description: text.push, valueHint: "REMOTE=PATTERN" },
      ...jsonArg,
    },
    async run({ args, rawArgs }) {
      await applyPolicyChange(verb, args.id, (args._ as string[]).slice(1), repeatedFlag(rawArgs, "push"), !!args.json);
    },
  });
}

export async function applyPolicyChange(verb: "allow" | "deny", id: string, hostArgs: string[], push: string[], json: boolean): Promise<void> {
  if (!hostArgs.length && !push.length) {
    throw new BottleError("USAGE", `${verb} what? give host patterns and/or --push REMOTE=PATTERN`, { hint: `e.g. bot-bottle ${verb} ${id} api.example.com` });
  }
  const hosts = hostArgs.length ? checkHosts(hostArgs) : [];
  const row = lookUpBottle(id);
  const next = await changePolicy(
    row,
    verb === "allow" ? { allow: hosts, pushAdd: push } : { deny: hosts, pushRemove: push },
    `bot-bottle ${verb}`,
  );
  const running = row.status === "running";
  const ms = running ? await waitApplied(row.identity, next.rev) : null;
  if (json) return printJson({ identity: row.identity, rev: next.rev, applied: ms !== null, appliedMs: ms, policy: next });
  const what = [...hosts, ...push.map((p) => `push ${p}`)].join(", ");
  const where = `${verb === "allow" ? "allowed" : "denied"} ${what} for ${row.identity} (policy rev ${next.rev})`;
  if (ms !== null) consola.success(`${where}: in force (applied by the bundle in ${ms} ms)`);
  else if (running) consola.warn(`${where}: written, but the bundle has not applied it yet — is it running? \`bot-bottle logs ${row.identity} --bundle\``);
  else consola.info(`${where}: the bottle is ${row.status}; it applies when the bottle runs again`);
}
