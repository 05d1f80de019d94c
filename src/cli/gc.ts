// `bot-bottle gc`: remove what crashed or forgotten bottles left behind —
// containers/networks of bottles that are neither kept nor in use, and state
// rows (and folders) of bottles whose resources are gone.
import { rmSync } from "node:fs";
import { defineCommand } from "citty";
import { consola } from "consola";
import { BACKEND_NAMES, driverFor } from "../backends/registry.ts";
import type { BackendDriver } from "../backends/types.ts";
import { openDb } from "../state/db.ts";
import { deleteBottleRow, listBottleRows } from "../state/bottles.ts";
import { bottleDir } from "../state/bottle-files.ts";
import { planGc } from "../lifecycle/gc.ts";
import { ownerAlive } from "../lifecycle/owner.ts";
import { jsonArg, printJson } from "./common.ts";
import { Docker } from "../backends/shared/docker.ts";
import { removeLeftovers, staleJournals } from "../images/leftovers.ts";
import { gateTeardown } from "../lifecycle/harvest-gate.ts";
import { deleteHarvest, getHarvest, unharvestedWork } from "../state/harvests.ts";
import { BottleError } from "../util/errors.ts";

export default defineCommand({
  meta: { name: "gc", description: "Remove leftovers of crashed or finished bottles" },
  args: {
    "dry-run": { type: "boolean", description: "Only say what would be removed" },
    images: {
      type: "boolean",
      description: "Also remove bot-bottle images no container uses, built over an hour ago (rebuilt when next needed)",
    },
    force: { type: "boolean", alias: "f", description: "Also remove bottles whose work could not be brought home" },
    ...jsonArg,
  },
  async run({ args }) {
    const db = openDb();
    try {
      const rows = listBottleRows(db, { all: true });
      const drivers = new Map<string, BackendDriver>();
      const owners = new Map<string, string>();
      const withResources: string[] = [];
      const unknownBackends: string[] = [];
      for (const name of BACKEND_NAMES) {
        let d: BackendDriver;
        let ids: string[];
        try {
          d = await driverFor(name);
          ids = await d.listIdentities();
        } catch (e) {
          // Cannot ask it: its bottles are unknown, not gone (an unreachable engine must not cost a kept bottle).
          unknownBackends.push(name);
          if (rows.some((r) => r.backend === name)) consola.warn(`cannot ask ${name}, leaving its bottles alone: ${(e as Error).message}`);
          else consola.debug(`gc: skipping ${name}: ${(e as Error).message}`);
          continue;
        }
        drivers.set(name, d);
        for (const id of ids) {
          withResources.push(id);
          owners.set(id, name);
        }
      }
      // smolmachines bottles keep their bundle on the docker engine: unknown with it.
      if (unknownBackends.includes("docker") && !unknownBackends.includes("smolmachines")) unknownBackends.push("smolmachines");
      const plan = planGc({ withResources, rows, ownerAlive: (id) => ownerAlive(db, id), unknownBackends });
      if (args.json) printJson(plan);
      if (args["dry-run"]) {
        if (!args.json) for (const id of plan.removeResources) consola.info(`would remove resources of ${id}`);
        if (!args.json) for (const id of plan.deleteRows) consola.info(`would forget ${id}`);
        if (args.images && !args.json) await previewImages();
        return;
      }
      // A bottle whose work cannot come home is left as it is (and reported), unless --force.
      const refused: string[] = [];
      for (const id of plan.removeResources) {
        const d = drivers.get(owners.get(id)!)!;
        const row = rows.find((r) => r.identity === id);
        if (row) {
          try {
            await gateTeardown(db, row.plan, d, { force: !!args.force, command: "gc" });
          } catch (e) {
            consola.error((e as BottleError).oneLine?.() ?? (e as Error).message);
            refused.push(id);
            continue;
          }
        }
        if (row) await d.remove(row.plan);
        else if ("removeIdentity" in d) await (d as { removeIdentity(id: string): Promise<void> }).removeIdentity(id);
        if (!args.json) consola.success(`removed resources of ${id}`);
      }
      for (const id of plan.deleteRows) {
        if (refused.includes(id)) continue;
        const left = args.force ? null : unharvestedWork(getHarvest(db, id));
        if (left) {
          consola.error(`keeping ${id}: ${left} — \`bot-bottle harvest ${id}\` (git) or \`bot-bottle apply ${id}\` brings it home; \`bot-bottle gc -f\` discards it`);
          refused.push(id);
          continue;
        }
        deleteBottleRow(db, id);
        deleteHarvest(db, id);
        rmSync(bottleDir(id), { recursive: true, force: true });
        if (!args.json) consola.success(`forgot ${id}`);
      }
      if (args.images) await collectImages(!!args.json);
      if (!args.json && !args.images && !plan.removeResources.length && !plan.deleteRows.length) consola.info("nothing to collect");
      if (refused.length) {
        throw new BottleError("HARVEST", `kept ${refused.length} bottle(s) whose work is not home: ${refused.join(", ")}`, { hint: "see the errors above; `bot-bottle gc -f` removes them anyway" });
      }
    } finally {
      db.close();
    }
  },
});

/** Leftovers of builds that died (their journals) and old bot-bottle images no container uses. */
async function collectImages(json: boolean): Promise<void> {
  const docker = new Docker();
  for (const j of staleJournals()) {
    if (await removeLeftovers(docker, j.leftovers)) rmSync(j.file, { force: true });
    if (!json) consola.success(`removed build leftovers: ${j.leftovers.images.length} image(s), ${j.leftovers.containers.length} container(s)`);
  }
  // The age guard keeps an image another launch has just built for its next step.
  const summary = await docker.pruneImages("1h");
  if (!json) consola.success(`images: ${summary || "nothing to remove"}`);
}

async function previewImages(): Promise<void> {
  const docker = new Docker();
  const ids = staleJournals().flatMap((j) => j.leftovers.images);
  const sizes = await docker.imageSizes(ids);
  for (const [id, size] of sizes) consola.info(`would remove build leftover image ${id.slice(0, 12)} (${Math.round(size / 1e6)} MB)`);
  if (!sizes.size) consola.info("no build leftovers");
  consola.info("would remove bot-bottle images built over an hour ago that no container uses (rebuilt when next needed)");
}
