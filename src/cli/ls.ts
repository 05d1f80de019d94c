import { defineCommand } from "citty";
import { inert } from "../util/inert.ts";
import { consola } from "consola";
import { jsonArg, printJson } from "./common.ts";
import { openDb } from "../state/db.ts";
import { listBottleRows, type BottleRow } from "../state/bottles.ts";
import { driverFor } from "../backends/registry.ts";
import type { LiveStatus } from "../backends/types.ts";

/**
 * Ask each backend once for all its bottles where it can (docker: one
 * `inspect` for every container, so `ls` stays quick with hundreds of
 * bottles), else bottle by bottle; a backend that cannot answer reports "unknown".
 */
async function liveStatuses(rows: BottleRow[]): Promise<Map<string, LiveStatus | "unknown">> {
  const out = new Map<string, LiveStatus | "unknown">();
  const byBackend = new Map<string, BottleRow[]>();
  for (const r of rows) {
    if (r.status === "removed") out.set(r.identity, "missing");
    else byBackend.set(r.backend, [...(byBackend.get(r.backend) ?? []), r]);
  }
  await Promise.all(
    [...byBackend].map(async ([backend, group]) => {
      try {
        const driver = await driverFor(backend as BottleRow["backend"]);
        if (driver.statuses) {
          const got = await driver.statuses(group.map((r) => r.plan));
          for (const r of group) out.set(r.identity, got.get(r.identity) ?? "unknown");
          return;
        }
        await Promise.all(group.map(async (r) => out.set(r.identity, await driver.status(r.plan).catch(() => "unknown" as const))));
      } catch {
        for (const r of group) out.set(r.identity, "unknown");
      }
    }),
  );
  return out;
}

export default defineCommand({
  meta: { name: "ls", description: "List bottles with their live status" },
  args: { ...jsonArg, all: { type: "boolean", alias: "a", description: "Include removed bottles" } },
  async run({ args }) {
    const db = openDb();
    const rows = listBottleRows(db, { all: args.all });
    db.close();
    const live = await liveStatuses(rows);
    const out = rows.map((r) => ({
      identity: r.identity,
      bottle: r.bottle,
      agent: r.agent,
      backend: r.backend,
      status: r.status,
      live: live.get(r.identity) ?? "unknown",
      cwd: r.cwd,
      started_at: r.started_at,
      keep: r.keep,
    }));
    if (args.json) return printJson(out);
    if (!out.length) return consola.info("no bottles");
    const head = ["IDENTITY", "BOTTLE", "BACKEND", "STATUS", "LIVE", "STARTED", "CWD"];
    // Names and paths recorded from a launch are shown inert (a chosen name cannot carry terminal controls).
    const table = out.map((r) => [inert(r.identity), inert(r.bottle), r.backend, r.status + (r.keep ? " (kept)" : ""), r.live, r.started_at.replace("T", " ").slice(0, 19), inert(r.cwd)]);
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    for (const row of [head, ...table]) process.stdout.write(row.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd() + "\n");
  },
});
