// The cache's soundness: only a complete artifact ever has the final name.
// `pack create` writes under a temp name; on success the launcher and then the
// artifact are renamed into place (rename is atomic within a folder), and the
// artifact's appearance is the commit point that isCacheHit() looks for.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { BottleError } from "../../util/errors.ts";
import type { PackPaths } from "./pack-key.ts";

export function isCacheHit(p: Pick<PackPaths, "artifact">): boolean {
  try {
    const s = statSync(p.artifact);
    return s.isFile() && s.size > 0;
  } catch {
    return false;
  }
}

export function commitPack(p: PackPaths): void {
  if (!isCacheHit({ artifact: p.tmpArtifact })) {
    throw new BottleError("SMOLVM", `smolvm pack create reported success but wrote no artifact at ${p.tmpArtifact}`, {
      hint: "run `bot-bottle doctor` to check the smolvm version",
    });
  }
  if (existsSync(p.tmpOut)) renameSync(p.tmpOut, p.out);
  renameSync(p.tmpArtifact, p.artifact);
}

/** Remove this attempt's temp files (failure or after commit). */
export function discardTemp(p: PackPaths): void {
  for (const f of [p.tmpOut, p.tmpArtifact, p.tarball]) rmSync(f, { force: true });
}

/**
 * Remove temp files a crashed packer left for this key. Call only while
 * holding the key's lock: temps exist only under the lock, so any found then
 * belong to a packer that is gone.
 */
export function sweepOrphanTemps(p: PackPaths, keep: string[] = []): string[] {
  const dir = dirname(p.out);
  const prefix = `.${basename(p.out).replace(/\.smolmachine$/, "")}.`;
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const n of names) {
    const full = join(dir, n);
    if (!n.startsWith(prefix) || keep.includes(full)) continue;
    rmSync(full, { force: true, recursive: true });
    removed.push(full);
  }
  return removed;
}
