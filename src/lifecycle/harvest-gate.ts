// When a harvest runs: before every teardown (the end of run/launch/resume,
// a signal, a failure midway), on `stop`, and as the gate of `rm` and `gc`:
// a bottle whose work is not home is not deleted without -f.
import type { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { consola } from "consola";
import type { BackendDriver } from "../backends/types.ts";
import type { ExportMeta } from "../harvest/bottle-script.ts";
import { summaryLine } from "../harvest/summary.ts";
import type { HarvestResult } from "../harvest/types.ts";
import type { BottlePlan } from "../plan/types.ts";
import { getHarvest, unharvestedWork } from "../state/harvests.ts";
import { BottleError } from "../util/errors.ts";
import { inert } from "../util/inert.ts";
import { harvestDir } from "../state/bottle-files.ts";
import { EXPORT_META, harvestBottle, type HarvestDeps } from "./harvest.ts";

/** Harvest and print the one summary line on stderr (stdout stays the agent's / the JSON's). */
export async function harvestAndReport(db: Database, plan: BottlePlan, driver: BackendDriver, deps: HarvestDeps = {}): Promise<HarvestResult> {
  const r = await harvestBottle(db, plan, driver, { warn: (m) => consola.warn(m), ...deps });
  if (r.kind !== "none") process.stderr.write(`harvest: ${summaryLine(r)}\n`);
  return r;
}

/** What an export in the state folder holds, for "would be lost" messages. */
export function describeKept(identity: string, known: Set<string>, env?: Record<string, string | undefined>): string {
  const p = join(harvestDir(identity, env), EXPORT_META);
  if (!existsSync(p)) return "";
  try {
    const m = JSON.parse(readFileSync(p, "utf8")) as ExportMeta;
    const parts = m.branches.filter((b) => !known.has(b.sha)).map((b) => `${inert(b.ref.replace(/^refs\/heads\//, ""))} (${b.sha.slice(0, 9)})`);
    if (m.wip) parts.push(`uncommitted work (${m.wip.files} files)`);
    return parts.length ? `branches ${parts.join(", ")}` : "";
  } catch {
    return "";
  }
}

/**
 * The rm/gc gate: harvest (also from a stopped bottle); refuse when the work
 * cannot be brought home. With `force` nothing is asked and nothing refused.
 */
export async function gateTeardown(db: Database, plan: BottlePlan, driver: BackendDriver, o: { force: boolean; command: string }): Promise<void> {
  if (o.force || !plan.copyCwd) return;
  const id = plan.identity;
  try {
    await harvestAndReport(db, plan, driver);
  } catch (e) {
    const rec = getHarvest(db, id);
    const known = new Set([...(rec?.tips ?? []), ...(rec?.base.kind === "git" ? rec.base.tips : [])]);
    const kept = describeKept(id, known);
    throw new BottleError("HARVEST", `refusing to ${o.command} ${id}: its work is not home — ${(e as Error).message}${kept ? `; would lose ${kept}` : ""}`, {
      hint: `fix that and run \`bot-bottle harvest ${id}\`, or \`bot-bottle ${o.command} -f ${id}\` to discard it`,
    });
  }
  const left = unharvestedWork(getHarvest(db, id));
  if (left) {
    throw new BottleError("HARVEST", `refusing to ${o.command} ${id}: ${left}`, {
      hint: `\`bot-bottle diff ${id}\` and \`bot-bottle apply ${id}\` bring it home; \`bot-bottle ${o.command} -f ${id}\` discards it`,
    });
  }
}
