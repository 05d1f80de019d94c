// Harvest of a non-git working folder: the bottle lists every file with its
// sha256; what differs from the launch manifest is exported as a tarball plus
// a manifest (paths, launch and new hashes) in the bottle's state folder.
// `diff` and `apply` read that export; nothing on the host changes here.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BackendDriver } from "../backends/types.ts";
import { exportErrors, filesListArgv, filesTarArgv } from "../harvest/bottle-script.ts";
import { compareFiles, parseSha256sum, type FilesManifest } from "../harvest/files.ts";
import type { HarvestResult, LaunchBase } from "../harvest/types.ts";
import type { BottlePlan } from "../plan/types.ts";
import { BottleError } from "../util/errors.ts";
import { inert } from "../util/inert.ts";
import type { HarvestDeps } from "./harvest.ts";
import { collectGuarded } from "./export-guard.ts";

export const FILES_TAR = "export.tar";
export const FILES_MANIFEST = "export-files.json";

export function readFilesManifest(dir: string): FilesManifest | null {
  const p = join(dir, FILES_MANIFEST);
  return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")) as FilesManifest) : null;
}

function resultOf(plan: BottlePlan, base: LaunchBase & { kind: "files" }, dir: string, m: FilesManifest): HarvestResult {
  return {
    identity: plan.identity,
    kind: "files",
    target: base.dir,
    refs: [],
    wip: null,
    primary: null,
    base: null,
    files: m.changes.length,
    export: { tarball: join(dir, FILES_TAR), manifest: join(dir, FILES_MANIFEST) },
    fingerprint: createHash("sha256").update(JSON.stringify(m.changes)).digest("hex"),
    at: new Date().toISOString(),
  };
}

export async function harvestFiles(plan: BottlePlan, base: LaunchBase & { kind: "files" }, driver: BackendDriver, dir: string, deps: HarvestDeps): Promise<HarvestResult | null> {
  const listFile = join(dir, "now.sha256");
  const listed = await collectGuarded(driver, plan, filesListArgv(plan.workdir), { out: listFile }, deps.diskProbe);
  if (listed === null) {
    // Gone: what was exported last is all there is.
    const kept = readFilesManifest(dir);
    return kept ? resultOf(plan, base, dir, kept) : null;
  }
  try {
    if (listed.code !== 0) throw new BottleError("HARVEST", `listing the files of ${plan.identity} failed (exit ${listed.code}): ${inert(exportErrors(listed.stderr))}`);
    const now = parseSha256sum(readFileSync(listFile, "utf8"));
    const launch = new Map(Object.entries(JSON.parse(readFileSync(base.manifest, "utf8")) as Record<string, string>));
    const changes = compareFiles(launch, now);
    const manifest: FilesManifest = { version: 1, dir: base.dir, changes };
    const wanted = changes.filter((c) => c.kind !== "deleted").map((c) => c.path);
    const tar = join(dir, FILES_TAR);
    const part = `${tar}.part`;
    if (wanted.length) {
      const t = await collectGuarded(driver, plan, filesTarArgv(plan.workdir), { out: part, input: new TextEncoder().encode(wanted.join("\0") + "\0") }, deps.diskProbe);
      if (t === null) throw new BottleError("HARVEST", `${plan.identity} went away during the export`);
      if (t.code !== 0) throw new BottleError("HARVEST", `exporting the files of ${plan.identity} failed (exit ${t.code}): ${inert(exportErrors(t.stderr))}`);
      renameSync(part, tar);
    } else rmSync(tar, { force: true });
    writeFileSync(join(dir, FILES_MANIFEST), JSON.stringify(manifest));
    return resultOf(plan, base, dir, manifest);
  } finally {
    rmSync(listFile, { force: true });
  }
}
