// Docker image → cached `.smolmachine` artifact.
//   image id (docker image inspect) + smolvm version → cache key (pack-key.ts)
//   hit: done. miss, under the key's lock (pack-lock.ts):
//     docker save → tarball → ephemeral loopback registry (pack-registry.ts)
//     → crane push → smolvm pack create (temp name) → rename into place
//     (pack-commit.ts); the tarball and temps are removed whatever happens.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Docker } from "../shared/docker.ts";
import { BottleError } from "../../util/errors.ts";
import { cacheDir as xdgCacheDir } from "../../util/paths.ts";
import { run as defaultRunner, runOk, type Runner } from "../../util/run.ts";
import { craneBin, cranePush } from "./crane.ts";
import { commitPack, discardTemp, isCacheHit, sweepOrphanTemps } from "./pack-commit.ts";
import { packCacheKey, packImageRef, packPaths } from "./pack-key.ts";
import { acquireLock, type LockOptions } from "./pack-lock.ts";
import { withPackRegistry } from "./pack-registry.ts";
import type { Smolvm } from "./smolvm.ts";

export const dockerSaveArgv = (image: string, out: string) => ["docker", "save", "--output", out, image];

export function packCacheDir(env: Record<string, string | undefined> = process.env): string {
  return join(xdgCacheDir(env), "smolmachines");
}

export interface PackDeps {
  smolvm: Smolvm;
  runner?: Runner;
  registryImage: string;
  cacheDir?: string;
  env?: Record<string, string | undefined>;
  lock?: LockOptions;
  log?: (msg: string) => void;
}

export interface PackResult {
  artifact: string;
  key: string;
  imageId: string;
  hit: boolean;
  ms: number;
}

export async function ensurePackedArtifact(image: string, d: PackDeps): Promise<PackResult> {
  const t0 = performance.now();
  const runner = d.runner ?? defaultRunner;
  const log = d.log ?? (() => {});
  const imageId = await new Docker(runner).imageId(image);
  if (!imageId) throw new BottleError("DOCKER", `image ${image} is not present in the docker engine`, { hint: "build it first (launch does) or check `docker images`" });
  const version = await d.smolvm.version();
  const key = packCacheKey(imageId, version.raw);
  const dir = d.cacheDir ?? packCacheDir(d.env);
  const paths = packPaths(dir, key, `${process.pid}-${crypto.randomUUID().slice(0, 8)}`);
  const done = (hit: boolean): PackResult => ({ artifact: paths.artifact, key, imageId, hit, ms: Math.round(performance.now() - t0) });
  if (isCacheHit(paths)) return done(true);

  mkdirSync(dir, { recursive: true });
  const lock = await acquireLock(paths.lock, { ...d.lock, onWait: () => log("another launch is packing this image; waiting for it") });
  try {
    if (isCacheHit(paths)) return done(true);
    sweepOrphanTemps(paths);
    log(`packing ${image} for smolvm ${version.raw} (first launch of this image)`);
    await runOk(runner, dockerSaveArgv(image, paths.tarball), "DOCKER", { timeoutMs: 20 * 60_000 });
    await withPackRegistry({ runner, registryImage: d.registryImage, logDir: dir, env: d.env }, async (reg) => {
      const ref = packImageRef(reg.host, key);
      await cranePush(paths.tarball, ref, runner, craneBin(d.env ?? process.env));
      await d.smolvm.packCreate(ref, paths.tmpOut);
    });
    commitPack(paths);
    return done(false);
  } finally {
    discardTemp(paths);
    lock.release();
  }
}
