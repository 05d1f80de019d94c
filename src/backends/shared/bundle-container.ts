// The bundle container: shared by the docker backend and the smolmachines
// backend (whose agent is a micro-VM but whose bundle is still a container).
import { join } from "node:path";
import { BUNDLE_STATE_DIR } from "../../bundle/config.ts";
import type { BottlePlan } from "../../plan/types.ts";
import { BUNDLE_FILES, BUNDLE_SSH_DIR, isBundleReady } from "./bundle-folder.ts";
import { BottleError } from "../../util/errors.ts";
import { rmSync, watch, type FSWatcher } from "node:fs";
import type { ContainerSpec } from "./docker-argv.ts";
import type { Docker } from "./docker.ts";
import { timed } from "../../util/phases.ts";

export interface BundleContainerOptions {
  plan: BottlePlan;
  image: string;
  /** Network the container is created on, with `ip` pinned. */
  network: string;
  ip: string;
  /** Further networks to join once started (docker: the egress network). */
  extraNetworks?: string[];
  /** Settles when the further networks exist (they may still be being made as the bundle starts). */
  extraNetworksReady?: Promise<void>;
  /** Host folder from writeBundleFolder(), mounted at BUNDLE_STATE_DIR. */
  hostDir: string;
  /** Real credentials: become the container's env, never an argv or a file. */
  secrets: Record<string, string>;
  /** Value of the bot-bottle.state label (see stateKey()). */
  stateKey: string;
  /** Container name (default plan.containers.bundle). */
  name?: string;
  readyTimeoutMs?: number;
}

/** Pure: the bundle's container spec. */
export function bundleContainerSpec(o: BundleContainerOptions, uid?: number, gid?: number): ContainerSpec {
  const volumes = [`${o.hostDir}:${BUNDLE_STATE_DIR}`];
  for (const g of o.plan.git) if (g.sshKey) volumes.push(`${g.sshKey}:${BUNDLE_SSH_DIR}/${g.name}:ro`);
  return {
    name: o.name ?? o.plan.containers.bundle,
    image: o.image,
    labels: { identity: o.plan.identity, state: o.stateKey, role: "bundle" },
    network: o.network,
    ip: o.ip,
    hostname: "bundle",
    // The operator's uid owns the mounted folder (0700); running as it needs no capability at all.
    user: uid !== undefined ? `${uid}:${gid ?? uid}` : undefined,
    volumes,
    passEnv: Object.keys(o.secrets).sort(),
    memory: o.plan.resources.bundleMemory,
    init: true,
  };
}

/**
 * Create and start (one `docker run --detach`), then join the further networks while the bundle gets ready
 * (its daemons listen on every interface, and nothing goes out before the
 * agent runs, which waits for both). Throws (leaving cleanup to the caller's remove()).
 */
export async function startBundleContainer(docker: Docker, o: BundleContainerOptions): Promise<void> {
  const spec = bundleContainerSpec(o, process.getuid?.(), process.getgid?.());
  rmSync(join(o.hostDir, BUNDLE_FILES.ready), { force: true });
  await timed("bundle start", () => docker.runDetached(spec, o.secrets));
  const connect = (async () => {
    await o.extraNetworksReady;
    for (const n of o.extraNetworks ?? []) await docker.networkConnect(n, spec.name);
  })();
  const steps = await Promise.allSettled([connect, timed("readiness", () => waitBundleReady(docker, spec.name, o.hostDir, o.readyTimeoutMs))]);
  for (const st of steps) if (st.status === "rejected") throw st.reason;
}

/**
 * Wait for ready.json + ca.crt in the shared folder: woken by a file-system
 * event (inotify on Linux), with a slow poll as the fallback where events do
 * not cross the mount (Docker Desktop); fail fast if the container exits.
 */
export async function waitBundleReady(docker: Docker, name: string, hostDir: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let wake: () => void = () => {};
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(hostDir, () => wake());
  } catch {
    watcher = undefined; // no events here: the poll below still finds it
  }
  try {
    for (let nextStateCheck = Date.now() + 1000; Date.now() < deadline; ) {
      if (isBundleReady(hostDir)) return;
      if (Date.now() >= nextStateCheck) {
        nextStateCheck = Date.now() + 1000;
        const state = (await docker.states([name])).get(name);
        if (state !== "running") {
          const logs = await docker.logsText(name, 20);
          throw new BottleError("PROXY", `the bundle container ${name} stopped while starting (${state ?? "gone"}):\n${logs}`, {
            hint: "run again with --debug; `docker logs` shows the same",
          });
        }
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 250);
        wake = () => (clearTimeout(t), resolve());
      });
    }
  } finally {
    watcher?.close();
  }
  throw new BottleError("PROXY", `the bundle ${name} was not ready after ${Math.round(timeoutMs / 1000)}s`, {
    hint: `check \`docker logs ${name}\``,
  });
}
