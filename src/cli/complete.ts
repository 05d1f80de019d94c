// `bot-bottle __complete bottles|ids` (hidden): the words shell completions
// offer for a bottle name (from the manifest here) or a bottle id (from the
// state database). Quiet and quick: a broken manifest or no database is no words.
import { existsSync } from "node:fs";
import { defineCommand, type PositionalArgDef } from "citty";
import type { CliMeta } from "./strict.ts";

const what: PositionalArgDef & { options: string[] } = { type: "positional", required: true, description: "bottles | ids", options: ["bottles", "ids"] };
const meta: CliMeta = { name: "__complete", description: "Words for shell completions", hidden: true };

export default defineCommand({
  meta,
  args: { what, manifest: { type: "string", alias: "m", description: "Manifest file", valueHint: "FILE" } },
  async run({ args }) {
    let words: string[] = [];
    try {
      if (args.what === "bottles") {
        const { loadManifest } = await import("../manifest/load.ts");
        words = Object.keys(loadManifest({ path: args.manifest, cwd: process.cwd() }).bottles);
      } else {
        const { dbPath, openDb } = await import("../state/db.ts");
        if (!existsSync(dbPath())) return;
        const db = openDb();
        try {
          const { listBottleRows } = await import("../state/bottles.ts");
          words = listBottleRows(db).map((r) => r.identity);
        } finally {
          db.close();
        }
      }
    } catch {
      return;
    }
    // Only plain words reach the shell: a bottle-chosen name with anything else is left out.
    for (const w of words) if (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(w)) process.stdout.write(w + "\n");
  },
});
