// A small citty command tree exercising what the generators must handle:
// nested and lazy subcommands, aliases, enums, file/dir values, positional
// values and a hidden command.
import { defineCommand, type CommandDef, type PositionalArgDef } from "citty";

const shellArg: PositionalArgDef & { options: string[] } = { type: "positional", required: true, description: "Shell", options: ["bash", "zsh"] };

export const sampleRoot = defineCommand({
  meta: { name: "tool", description: "A sample tool" },
  args: { debug: { type: "boolean", description: "Debug [verbose]: it's loud" } },
  subCommands: {
    plan: () =>
      Promise.resolve(
        defineCommand({
          meta: { name: "plan", description: "Plan a bottle" },
          args: {
            bottle: { type: "positional", required: true, description: "Bottle name" },
            manifest: { type: "string", alias: "m", description: "Manifest file", valueHint: "FILE" },
            backend: { type: "enum", options: ["docker", "smolmachines"], description: "Backend" },
            env: { type: "string", alias: "e", description: "Env entry", valueHint: "K=V" },
            json: { type: "boolean", description: "JSON out" },
          },
        }),
      ),
    init: defineCommand({
      meta: { name: "init", description: "Write files" },
      args: { dir: { type: "positional", required: false, description: "Folder", valueHint: "DIR" } },
    }),
    completions: defineCommand({ meta: { name: "completions", description: "Print completions" }, args: { shell: shellArg } }),
    bundle: () =>
      defineCommand({
        meta: { name: "bundle", description: "Bundle daemons" },
        subCommands: {
          serve: defineCommand({
            meta: { name: "serve", description: "Serve" },
            args: { config: { type: "string", description: "Config file", valueHint: "FILE" } },
          }),
        },
      }),
    secret: defineCommand({ meta: { name: "secret", description: "Hidden", hidden: true } }),
  },
}) as CommandDef<any>;
