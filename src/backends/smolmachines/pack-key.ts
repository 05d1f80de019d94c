// Pure: where a packed agent image lives in the cache. The key changes when
// the docker image changes (its content-addressed id) or when smolvm changes
// (the artifact format belongs to the smolvm that wrote it), and nothing else,
// so a second launch of the same image is a cache hit.
import { join } from "node:path";
import { BottleError } from "../../util/errors.ts";

/** Bump when the pack pipeline itself changes what it puts in an artifact. */
export const PACK_FORMAT = 1;

/** `sha256:abc…` (docker image inspect {{.Id}}) + `0.8.2` → `p1-smolvm0.8.2-abc…` (64 hex). */
export function packCacheKey(imageId: string, smolvmVersion: string): string {
  const m = /^(?:sha256:)?([0-9a-f]{64})$/.exec(imageId.trim());
  if (!m) throw new BottleError("INTERNAL", `not a docker image id: ${imageId}`, { hint: "expected sha256:<64 hex>" });
  if (!/^\d+\.\d+\.\d+$/.test(smolvmVersion)) throw new BottleError("INTERNAL", `not a smolvm version: ${smolvmVersion}`);
  return `p${PACK_FORMAT}-smolvm${smolvmVersion}-${m[1]}`;
}

/** Registry repository:tag the image is pushed under for `pack create`. */
export function packImageRef(registry: string, key: string): string {
  // Docker tags allow at most 128 chars of [A-Za-z0-9_.-]; the key fits.
  return `${registry}/bot-bottle/agent:${key}`;
}

export interface PackPaths {
  /** `pack create -o` target: smolvm writes the launcher here. */
  out: string;
  /** The artifact `machine create --from` takes. */
  artifact: string;
  /** Temporary output of an in-progress pack (renamed into place on success). */
  tmpOut: string;
  tmpArtifact: string;
  lock: string;
  /** `docker save` tarball, removed after the push. */
  tarball: string;
}

/** `unique` distinguishes concurrent packers' temp files (pid + random). */
export function packPaths(cacheDir: string, key: string, unique: string): PackPaths {
  const out = join(cacheDir, `${key}.smolmachine`);
  const tmpOut = join(cacheDir, `.${key}.${unique}.tmp`);
  return {
    out,
    artifact: `${out}.smolmachine`,
    tmpOut,
    tmpArtifact: `${tmpOut}.smolmachine`,
    lock: join(cacheDir, `${key}.lock`),
    tarball: join(cacheDir, `.${key}.${unique}.tar`),
  };
}
