// Shared CLI plumbing: common flags, manifest loading, prompts, output.
import { consola } from "consola";
import type { ArgsDef } from "citty";
import { loadManifest, type LoadedManifest } from "../manifest/load.ts";
import { loadConfig, type Config } from "../config/config.ts";
import type { Prompter } from "../env/resolve.ts";
import { parseEnvFlags } from "../env/resolve.ts";
import { buildPlan } from "../plan/build.ts";
import type { BottlePlan } from "../plan/types.ts";
import type { Backend } from "../manifest/schema.ts";
import { BottleError } from "../util/errors.ts";

export const manifestArg = {
  manifest: { type: "string", alias: "m", description: "Manifest file (default: ./bot-bottle.toml, else the built-in default)", valueHint: "FILE" },
} as const satisfies ArgsDef;

export const jsonArg = {
  json: { type: "boolean", description: "Machine-readable JSON on stdout" },
} as const satisfies ArgsDef;

export const planArgs = {
  ...manifestArg,
  name: { type: "string", description: "Bottle identity (default: <agent>-<random6>)", valueHint: "ID" },
  backend: { type: "enum", options: ["docker", "smolmachines"], description: "Backend (default: manifest, BOT_BOTTLE_BACKEND, config, docker)" },
  env: { type: "string", alias: "e", description: "Set an env entry (repeatable): answers ?prompt entries non-interactively", valueHint: "K=V" },
} as const satisfies ArgsDef;

export function isInteractive(): boolean {
  return !!process.stdin.isTTY && !!process.stdout.isTTY && process.env.CI !== "true";
}

/** A prompter that asks on the terminal, or undefined when there is none. */
export function terminalPrompter(): Prompter {
  if (!isInteractive()) return undefined;
  return async (question, name) => {
    const answer = await consola.prompt(`${question} (${name})`, { type: "text", cancel: "reject" });
    if (typeof answer !== "string") throw new BottleError("USAGE", `no value given for ${name}`, { hint: `pass --env ${name}=VALUE` });
    return answer;
  };
}

export function loadManifestArg(args: { manifest?: string }): LoadedManifest {
  return loadManifest({ path: args.manifest, cwd: process.cwd() });
}

/** citty gives a string for one flag and an array for repeats. */
export function listArg(v: unknown): string[] {
  if (v === undefined || v === null || v === false) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

export async function planFromArgs(
  args: { manifest?: string; name?: string; backend?: string; env?: unknown },
  bottle: string,
  config: Config = loadConfig(),
): Promise<BottlePlan> {
  const manifest = loadManifestArg(args);
  return buildPlan({
    manifest,
    bottle,
    identity: args.name,
    cwd: process.cwd(),
    backend: args.backend as Backend | undefined,
    config,
    hostEnv: process.env,
    overrides: parseEnvFlags(listArg(args.env)),
    prompter: terminalPrompter(),
  });
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}
