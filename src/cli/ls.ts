import { defineCommand } from "citty";
import { inert } from "../util/inert.ts";
import { consola } from "consola";
import { jsonArg, printJson } from "./common.ts";
import { openDb } from "../state/db.ts";
import { listBottleRows, type BottleRow } from "../state/bottles.ts";
import { driverFor } from "../backends/registry.ts";
import type { LiveStatus } from "../backends/types.ts";
import { listHarvests, unharvestedWork } from "../state/harvests.ts";
import type { HarvestRecord } from "../harvest/types.ts";

/** One word for the HARVEST column: home, failed (export kept), unapplied (files), or "-". */
export function harvestWord(h: HarvestRecord | undefined): string {
  if (!h || h.base.kind === "none") return "-";
  if (h.status === "failed") return "failed";
  if (h.status === "none") return "pending";
  if (h.result?.kind === "files") return h.result.files === 0 ? "no changes" : h.applied ? "applied" : "unapplied";
  return "home";
}

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
    const harvests = listHarvests(db);
    // A removed bottle stays listed while its work is only in its state folder.
    const rows = listBottleRows(db, { all: true }).filter((r) => args.all || r.status !== "removed" || unharvestedWork(harvests.get(r.identity) ?? null));
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
      harvest: harvestJsonOf(harvests.get(r.identity)),
    }));
    if (args.json) return printJson(out);
    if (!out.length) return consola.info("no bottles");
    const head = ["IDENTITY", "BOTTLE", "BACKEND", "STATUS", "LIVE", "HARVEST", "STARTED", "CWD"];
    // Names and paths recorded from a launch are shown inert (a chosen name cannot carry terminal controls).
    const table = out.map((r) => [inert(r.identity), inert(r.bottle), r.backend, r.status + (r.keep ? " (kept)" : ""), r.live, r.harvest.state, r.started_at.replace("T", " ").slice(0, 19), inert(r.cwd)]);
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    for (const row of [head, ...table]) process.stdout.write(row.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd() + "\n");
  },
});

function harvestJsonOf(h: HarvestRecord | undefined) {
  return {
    state: harvestWord(h),
    refs: h?.result ? [...h.result.refs.map((x) => x.name), ...(h.result.wip ? [h.result.wip.name] : [])] : [],
    files: h?.result?.files ?? 0,
    error: h?.error ?? null,
    at: h?.at ?? null,
  };
}
