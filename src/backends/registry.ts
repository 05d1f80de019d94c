// Driver lookup by backend name: a bottle is always handled by the backend
// recorded for it. Drivers load lazily (the smolmachines one pulls in more).
import type { Backend } from "../manifest/schema.ts";
import { BottleError } from "../util/errors.ts";
import type { BackendDriver } from "./types.ts";

const LOADERS: Record<Backend, () => Promise<BackendDriver>> = {
  docker: async () => new (await import("./docker/driver.ts")).DockerDriver(),
  smolmachines: async () => (await import("./smolmachines/driver.ts")).createSmolmachinesDriver(),
};

export async function driverFor(name: string): Promise<BackendDriver> {
  const load = LOADERS[name as Backend];
  if (!load) {
    throw new BottleError("BACKEND", `unknown backend "${name}"`, { hint: `use one of: ${Object.keys(LOADERS).join(", ")}` });
  }
  return load();
}

export const BACKEND_NAMES = Object.keys(LOADERS) as Backend[];
