// Operator config: $XDG_CONFIG_HOME/bot-bottle/config.toml, overridden by env.
// Every base image is configurable because registries differ (air-gapped
// sites, mirrors); defaults are public images for real users.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import { configDir } from "../util/paths.ts";
import { parseTomlText, validate } from "../manifest/parse.ts";
import { BottleError } from "../util/errors.ts";
import { DEFAULT_SUBNET_POOL, parsePool, poolFromBase } from "../plan/subnet.ts";

/** Two octets, each 0..255: "10.213" (the older subnet_base setting). */
export function isSubnetBase(base: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})$/.exec(base);
  return !!m && Number(m[1]) <= 255 && Number(m[2]) <= 255;
}

export const configSchema = v.strictObject({
  /** Base image for agent images (claude, codex, shell). */
  base_image: v.optional(v.string()),
  /** Base image for the bundle sidecar. */
  bundle_base_image: v.optional(v.string()),
  /** Extra CA bundle (PEM) trusted during image builds: corporate TLS interception. */
  build_ca: v.optional(v.string()),
  /** Default backend. */
  backend: v.optional(v.picklist(["docker", "smolmachines"])),
  /** Private IPv4 range every bottle network is taken from (one /28 per bottle). */
  subnet_pool: v.optional(v.string()),
  /** Older form of subnet_pool: two octets, meaning that /16. */
  subnet_base: v.optional(v.pipe(v.string(), v.regex(/^\d{1,3}\.\d{1,3}$/, 'use two octets such as "10.213"'))),
  /** Registry image used for the ephemeral pack registry (smolmachines). */
  registry_image: v.optional(v.string()),
});

export interface Config {
  baseImage: string;
  bundleBaseImage: string;
  buildCa?: string;
  backend: "docker" | "smolmachines";
  /** CIDR of bot-bottle's own address pool (see plan/subnet.ts). */
  subnetPool: string;
  registryImage: string;
  /** Where the values came from, for `doctor`. */
  file?: string;
}

export const DEFAULTS: Config = {
  baseImage: "debian:bookworm-slim",
  bundleBaseImage: "debian:bookworm-slim",
  backend: "docker",
  subnetPool: DEFAULT_SUBNET_POOL,
  registryImage: "registry:2",
};

/** Pure merge: defaults ← file ← env. */
export function mergeConfig(file: v.InferOutput<typeof configSchema>, env: Record<string, string | undefined>): Config {
  const backend = env.BOT_BOTTLE_BACKEND || file.backend || DEFAULTS.backend;
  if (backend !== "docker" && backend !== "smolmachines") {
    throw new BottleError("CONFIG", `BOT_BOTTLE_BACKEND must be docker or smolmachines, got "${backend}"`, {
      hint: "unset it, or set it to docker or smolmachines",
    });
  }
  const base = env.BOT_BOTTLE_SUBNET_BASE || file.subnet_base;
  if (base !== undefined && !isSubnetBase(base)) {
    throw new BottleError("CONFIG", `subnet base must be two octets such as "10.213", got "${base}"`, {
      hint: "use subnet_pool in config.toml (or BOT_BOTTLE_SUBNET_POOL) instead",
    });
  }
  const subnetPool = env.BOT_BOTTLE_SUBNET_POOL || file.subnet_pool || (base ? poolFromBase(base) : DEFAULTS.subnetPool);
  parsePool(subnetPool); // a bad pool fails here, naming the setting
  return {
    baseImage: env.BOT_BOTTLE_BASE_IMAGE || file.base_image || DEFAULTS.baseImage,
    bundleBaseImage: env.BOT_BOTTLE_BUNDLE_BASE_IMAGE || file.bundle_base_image || env.BOT_BOTTLE_BASE_IMAGE || file.base_image || DEFAULTS.bundleBaseImage,
    buildCa: env.BOT_BOTTLE_BUILD_CA || file.build_ca || undefined,
    backend,
    subnetPool,
    registryImage: env.BOT_BOTTLE_REGISTRY_IMAGE || file.registry_image || DEFAULTS.registryImage,
  };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const file = join(configDir(env), "config.toml");
  let data: v.InferOutput<typeof configSchema> = {};
  if (existsSync(file)) {
    const src = readFileSync(file, "utf8");
    try {
      data = validate(configSchema, parseTomlText(src, file), src, file);
    } catch (e) {
      // Same located message, but a config error is not a manifest error.
      if (e instanceof BottleError) throw new BottleError("CONFIG", e.message, { file: e.file, line: e.line, key: e.key, hint: e.hint });
      throw e;
    }
  }
  return { ...mergeConfig(data, env), file: existsSync(file) ? file : undefined };
}
