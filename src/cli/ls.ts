import { defineCommand } from "citty";
import { consola } from "consola";
import { jsonArg, printJson } from "./common.ts";
import { openDb } from "../state/db.ts";
import { listBottleRows } from "../state/bottles.ts";

export default defineCommand({
  meta: { name: "ls", description: "List bottles" },
  args: { ...jsonArg, all: { type: "boolean", alias: "a", description: "Include removed bottles" } },
  run({ args }) {
    const db = openDb();
    const rows = listBottleRows(db, { all: args.all });
    db.close();
    const out = rows.map((r) => ({
      identity: r.identity,
      bottle: r.bottle,
      agent: r.agent,
      backend: r.backend,
      status: r.status,
      cwd: r.cwd,
      started_at: r.started_at,
      keep: r.keep,
    }));
    if (args.json) return printJson(out);
    if (!out.length) return consola.info("no bottles");
    const head = ["IDENTITY", "BOTTLE", "BACKEND", "STATUS", "STARTED", "CWD"];
    const table = out.map((r) => [r.identity, r.bottle, r.backend, r.status, r.started_at.replace("T", " ").slice(0, 19), r.cwd]);
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    for (const row of [head, ...table]) process.stdout.write(row.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd() + "\n");
  },
});
