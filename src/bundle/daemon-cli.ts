// Shared plumbing of the one-daemon bundle commands (`bundle git-gate`,
// `bundle supervise`, `bundle proxy`): read one section of the bundle config, run until signalled.
import { readFileSync } from "node:fs";
import type { BundleConfig, Daemon } from "./config.ts";
import { BottleError } from "../util/errors.ts";

export function readBundleSection<K extends "gitGate" | "supervise">(file: string, key: K): NonNullable<BundleConfig[K]> {
  let cfg: BundleConfig;
  try {
    cfg = JSON.parse(readFileSync(file, "utf8")) as BundleConfig;
  } catch (e) {
    throw new BottleError("USAGE", `cannot read the bundle config ${file}: ${(e as Error).message}`, { hint: "pass --config with the bundle.json the host wrote" });
  }
  const section = cfg?.[key];
  if (!section) throw new BottleError("USAGE", `the bundle config ${file} has no "${key}" section`, { hint: "this bottle does not use that daemon" });
  return section as NonNullable<BundleConfig[K]>;
}

/** Keep the daemon up until SIGINT/SIGTERM, then close it cleanly. */
export function runUntilSignal(daemon: Daemon): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      daemon.close().finally(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
