import { defineCommand } from "citty";
import { consola } from "consola";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { BottleError } from "../util/errors.ts";
import { EXAMPLE_AGENT, EXAMPLE_MANIFEST } from "../manifest/example.ts";
import { MANIFEST_FILE } from "../manifest/load.ts";
import { starterFromDefault } from "../manifest/from-default.ts";

export default defineCommand({
  meta: { name: "init", description: "Write an example bot-bottle.toml and agents/dev.md (or start from a built-in bottle with --from)" },
  args: {
    dir: { type: "positional", required: false, description: "Folder to write into (default: .)" },
    force: { type: "boolean", description: "Overwrite existing files" },
    from: { type: "string", description: "Start from this bottle of the built-in default manifest (claude, codex, gemini, opencode, demo)" },
  },
  run({ args }) {
    const dir = resolve(process.cwd(), (args.dir as string | undefined) ?? ".");
    const from = args.from as string | undefined;
    const starter = from === undefined ? undefined : starterFromDefault(from);
    const files: (readonly [string, string])[] = starter
      ? [[join(dir, MANIFEST_FILE), starter.manifest], ...Object.entries(starter.agents).map(([n, t]) => [join(dir, "agents", `${n}.md`), t] as const)]
      : [
          [join(dir, MANIFEST_FILE), EXAMPLE_MANIFEST],
          [join(dir, "agents", "dev.md"), EXAMPLE_AGENT],
        ];
    for (const [f] of files) {
      if (existsSync(f) && !args.force) {
        throw new BottleError("USAGE", `${f} already exists`, { hint: "pass --force to overwrite it, or init another folder" });
      }
    }
    for (const [f, text] of files) {
      mkdirSync(join(f, ".."), { recursive: true });
      writeFileSync(f, text);
      consola.success(`wrote ${f}`);
    }
    consola.info(`next: bot-bottle validate && bot-bottle plan ${from ?? "dev"}`);
  },
});
