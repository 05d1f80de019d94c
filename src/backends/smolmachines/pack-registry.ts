// The ephemeral registry a pack pulls from: smolvm takes images only from
// registries, so a local image travels docker save → this registry → pack.
// It listens on one free loopback port, lives for one pack and is always torn
// down (callers use withPackRegistry, which stops it in a finally).
import { join } from "node:path";
import { BottleError } from "../../util/errors.ts";
import { run as defaultRunner, startChild, type Runner } from "../../util/run.ts";
import { craneServeArgv, craneWhich } from "./crane.ts";
import { freePort } from "../../util/ports.ts";

export const REGISTRY_LABEL = "bot-bottle.pack-registry";

export type RegistryKind = "container" | "crane";

export interface PackRegistry {
  kind: RegistryKind;
  /** `localhost:PORT`, the registry part of image refs. */
  host: string;
  port: number;
  stop(): Promise<void>;
}

export function registryRunArgv(name: string, image: string, port: number): string[] {
  return ["docker", "run", "-d", "--rm", "--name", name, "--label", `${REGISTRY_LABEL}=1`, "-p", `127.0.0.1:${port}:5000`, image];
}

export const dockerImagePresentArgv = (image: string) => ["docker", "image", "inspect", "--format", "{{.Id}}", image];

/** Pure: which registry to run, or why none can be. */
export function chooseRegistry(o: { registryImagePresent: boolean; craneAvailable: boolean }): RegistryKind | null {
  if (o.registryImagePresent) return "container";
  if (o.craneAvailable) return "crane";
  return null;
}

/** Bounded wait for `GET /v2/` to answer (registry API root). */
export async function waitForRegistry(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200 || res.status === 401) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await Bun.sleep(100);
  }
  throw new BottleError("SMOLVM", `the pack registry on 127.0.0.1:${port} did not come up: ${last}`, {
    hint: "run `bot-bottle doctor`",
  });
}

export interface RegistryDeps {
  runner?: Runner;
  registryImage: string;
  /** Where crane's log goes (kept for diagnosis). */
  logDir: string;
  env?: Record<string, string | undefined>;
}

export async function startPackRegistry(d: RegistryDeps): Promise<PackRegistry> {
  const runner = d.runner ?? defaultRunner;
  const env = d.env ?? process.env;
  const present = (await runner(dockerImagePresentArgv(d.registryImage))).code === 0;
  const crane = craneWhich(env);
  const kind = chooseRegistry({ registryImagePresent: present, craneAvailable: crane !== null });
  if (!kind) {
    throw new BottleError("SMOLVM", `no registry to pack from: image ${d.registryImage} is not present and crane is not installed`, {
      hint: `install crane (go-containerregistry), or load a registry image and set registry_image / BOT_BOTTLE_REGISTRY_IMAGE`,
    });
  }
  const port = freePort();
  if (kind === "container") {
    const name = `bot-bottle-pack-registry-${process.pid}-${port}`;
    const res = await runner(registryRunArgv(name, d.registryImage, port));
    if (res.code !== 0) throw new BottleError("DOCKER", `cannot start the pack registry: ${res.stderr.trim()}`, { hint: "is the docker engine running?" });
    return ready(kind, port, async () => {
      await runner(["docker", "rm", "--force", name]);
    });
  }
  // crane logs (including "serving on port N") go to stderr.
  const proc = startChild(craneServeArgv(crane!, port), { stderr: { file: join(d.logDir, "crane-registry.log") }, env });
  return ready(kind, port, async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill("SIGTERM");
    const done = await Promise.race([proc.exited.then(() => true), Bun.sleep(3000).then(() => false)]);
    if (!done) {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  });
}

/** Wait until the registry answers; a registry that never does is stopped, not leaked. */
async function ready(kind: PackRegistry["kind"], port: number, stop: () => Promise<void>): Promise<PackRegistry> {
  try {
    await waitForRegistry(port);
  } catch (e) {
    await stop();
    throw e;
  }
  return { kind, host: `localhost:${port}`, port, stop };
}

export async function withPackRegistry<T>(d: RegistryDeps, body: (r: PackRegistry) => Promise<T>): Promise<T> {
  const reg = await startPackRegistry(d);
  try {
    return await body(reg);
  } finally {
    await reg.stop();
  }
}
