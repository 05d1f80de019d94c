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
import { readSecret } from "../util/secret-input.ts";

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
  return async (question, name, secret) => {
    // Secrets are read without echo; consola's text prompt would show them.
    if (secret) return readSecret(`${question} (${name})`);
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

/** Every value of a repeatable string flag (`--env A=1 -e B=2 --env=C=3`), up to `--`.
 * citty keeps only the last value of a repeated flag, so repeats are read from argv. */
export function repeatedFlag(argv: string[], long: string, short?: string): string[] {
  const out: string[] = [];
  const names = [`--${long}`, ...(short ? [`-${short}`] : [])];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") break;
    const eq = names.find((n) => a.startsWith(`${n}=`));
    if (eq) out.push(a.slice(eq.length + 1));
    else if (names.includes(a) && i + 1 < argv.length) out.push(argv[++i]!);
  }
  return out;
}

/** --env values: all repeats from argv when they agree with what citty parsed, else citty's. */
export function envFlagValues(parsed: unknown, argv: string[]): string[] {
  const fromCitty = listArg(parsed);
  const fromArgv = repeatedFlag(argv, "env", "e");
  const last = fromCitty[fromCitty.length - 1];
  return last !== undefined && fromArgv[fromArgv.length - 1] === last ? fromArgv : fromCitty;
}

export async function planFromArgs(
  args: { manifest?: string; name?: string; backend?: string; env?: unknown },
  bottle: string,
  config: Config = loadConfig(),
  argv: string[] = process.argv.slice(2),
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
    overrides: parseEnvFlags(envFlagValues(args.env, argv)),
    prompter: terminalPrompter(),
  });
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}
