// crane (go-containerregistry): pushes a `docker save` tarball to the pack
// registry, and can itself serve that registry when no registry image is
// present locally. crane talks plain HTTP to localhost registries by itself.
import { BottleError } from "../../util/errors.ts";
import { existsSync } from "node:fs";
import { run as defaultRunner, runOk, type Runner } from "../../util/run.ts";

export function craneBin(env: Record<string, string | undefined> = process.env): string {
  return env.BOT_BOTTLE_CRANE || "crane";
}

export const cranePushArgv = (bin: string, tarball: string, ref: string) => [bin, "push", tarball, ref];

/** A blocking in-memory registry on one loopback port. */
export const craneServeArgv = (bin: string, port: number) => [bin, "registry", "serve", "--address", `127.0.0.1:${port}`];

export const craneVersionArgv = (bin: string) => [bin, "version"];

/** Absolute path of crane on the given environment's PATH, or null. */
export function craneWhich(env: Record<string, string | undefined> = process.env): string | null {
  const bin = craneBin(env);
  if (bin.includes("/")) return existsSync(bin) ? bin : null;
  return Bun.which(bin, { PATH: env.PATH ?? "" });
}

export const craneAvailable = (env: Record<string, string | undefined> = process.env) => craneWhich(env) !== null;

export async function cranePush(tarball: string, ref: string, runner: Runner = defaultRunner, bin = craneBin()): Promise<string> {
  const res = await runOk(runner, cranePushArgv(bin, tarball, ref), "CRANE", {
    hint: "is the pack registry up? run `bot-bottle doctor`",
    timeoutMs: 20 * 60_000,
  });
  // crane prints the pushed digest reference (`host/repo@sha256:…`).
  const digestRef = res.stdout.trim().split("\n").pop() ?? "";
  if (!/@sha256:[0-9a-f]{64}$/.test(digestRef)) {
    throw new BottleError("CRANE", `crane push printed no digest: ${res.stdout.trim().slice(0, 120)}`);
  }
  return digestRef;
}
