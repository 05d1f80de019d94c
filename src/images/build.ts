// Build (or reuse) the agent and bundle images. The tag is a hash of the
// inputs (tag.ts), so `docker image inspect TAG` succeeding means "up to date".
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { consola } from "consola";
import type { Config } from "../config/config.ts";
import { BottleError } from "../util/errors.ts";
import { withLock } from "../util/work-lock.ts";
import { cacheDir } from "../util/paths.ts";
import type { Provider } from "../manifest/schema.ts";
import { providerSpec } from "../providers/index.ts";
import { agentDockerfile, BUILD_CA_FILE, BUNDLE_BINARY_FILE, bundleDockerfile } from "./dockerfiles.ts";
import { imageTag, sha256Hex } from "./tag.ts";
import type { BundleBinary } from "./bundle-binary.ts";
import { BuildJournal, type LeftoverEngine } from "./leftovers.ts";

type ContextFile = { content: string | Uint8Array; mode: number } | { linkFrom: string; sha256: string; mode: number };

export interface ImageRecipeInput {
  kind: string;
  dockerfile: string;
  baseImage: string;
  files: Record<string, ContextFile>;
}

function buildCa(config: Config): string {
  if (!config.buildCa) return "";
  if (!existsSync(config.buildCa)) {
    throw new BottleError("BACKEND", `build CA ${config.buildCa} does not exist`, { hint: "fix BOT_BOTTLE_BUILD_CA or build_ca in config.toml" });
  }
  return readFileSync(config.buildCa, "utf8");
}

/** What image builds need from the engine (backends/shared/docker.ts's Docker fits; images/ sits below backends/). */
export interface ImageEngine extends LeftoverEngine {
  imageId(image: string): Promise<string | null>;
  build(o: { tag: string; contextDir: string; labels?: Record<string, string> }, onLine?: (l: string) => void): Promise<void>;
}

/** Ensure an image for the recipe exists; returns its tag. */
export async function ensureImage(docker: ImageEngine, r: ImageRecipeInput, env: Record<string, string | undefined> = process.env): Promise<string> {
  const baseImageId = (await docker.imageId(r.baseImage)) ?? `unresolved:${r.baseImage}`;
  const hashes: Record<string, string> = {};
  for (const [name, f] of Object.entries(r.files)) hashes[name] = "linkFrom" in f ? f.sha256 : sha256Hex(f.content);
  const tag = imageTag({ kind: r.kind, dockerfile: r.dockerfile, baseImageId, files: hashes });
  if (await docker.imageId(tag)) return tag;
  // One build per tag across processes (twenty parallel `run`s build once); the others wait, then reuse it.
  const locks = join(cacheDir(env), "locks");
  mkdirSync(locks, { recursive: true });
  return withLock(join(locks, `image-${tag.replace(/[^a-zA-Z0-9._-]/g, "_")}.lock`), async () => {
    if (await docker.imageId(tag)) return tag;
    await buildImage(docker, r, tag, env);
    return tag;
  }, {
    busy: { code: "DOCKER", doing: `building ${tag}` },
    onWait: () => consola.info(`waiting for another bot-bottle to finish building ${tag}`),
  });
}

async function buildImage(docker: ImageEngine, r: ImageRecipeInput, tag: string, env: Record<string, string | undefined>): Promise<void> {
  const dir = join(cacheDir(env), "build", `${r.kind}-${tag.split(":")[1]}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, "Dockerfile"), r.dockerfile);
    for (const [name, f] of Object.entries(r.files)) {
      const dest = join(dir, name);
      if ("linkFrom" in f) {
        // A hard link avoids copying the ~100 MB binary; across filesystems, copy.
        try {
          linkSync(f.linkFrom, dest);
        } catch {
          copyFileSync(f.linkFrom, dest);
        }
      } else writeFileSync(dest, f.content, { mode: f.mode });
    }
    consola.start(`building image ${tag} from ${r.baseImage} (once; later runs reuse it)`);
    const verbose = consola.level >= 4;
    const journal = new BuildJournal(tag, env);
    try {
      await docker.build({ tag, contextDir: dir, labels: { "bot-bottle.image": r.kind } }, (line) => {
        journal.see(line);
        if (verbose) consola.debug(line);
        else if (/^(Step \d+\/\d+|#\d+ \[)/.test(line)) consola.info(line.slice(0, 160));
      });
    } catch (e) {
      // A failed or interrupted build leaves its last step as a dangling image of hundreds of MB.
      await journal.cleanUp(docker).catch((err) => consola.debug(`build leftovers: ${(err as Error).message}`));
      throw e;
    }
    journal.done();
    consola.success(`built ${tag}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function agentRecipe(provider: Provider, baseImage: string, config: Config): ImageRecipeInput {
  const recipe = providerSpec(provider).recipe;
  const files: Record<string, ContextFile> = { [BUILD_CA_FILE]: { content: buildCa(config), mode: 0o644 } };
  for (const [name, text] of Object.entries(recipe.scripts ?? {})) files[name] = { content: text, mode: 0o755 };
  return { kind: provider, dockerfile: agentDockerfile(baseImage, recipe), baseImage, files };
}

export function bundleRecipe(config: Config, binary: BundleBinary): ImageRecipeInput {
  return {
    kind: "bundle",
    dockerfile: bundleDockerfile(config.bundleBaseImage),
    baseImage: config.bundleBaseImage,
    files: {
      [BUILD_CA_FILE]: { content: buildCa(config), mode: 0o644 },
      [BUNDLE_BINARY_FILE]: { linkFrom: binary.path, sha256: binary.sha256, mode: 0o755 },
    },
  };
}
