// The docker backend: an internal network for agent ↔ bundle, an egress
// network for the bundle only, the bundle container, then the agent
// container (PID 1 sleeps; the agent program runs through `docker exec`, so a
// kept bottle can be re-attached and `exec` works while it is up).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { consola } from "consola";
import type { AttachOptions, BackendDriver, CollectOptions, LiveStatus } from "../types.ts";
import type { BottlePlan } from "../../plan/types.ts";
import { AGENT_USER, BOTTLE_ETC } from "../../plan/bottle-paths.ts";
import { loadConfig, type Config } from "../../config/config.ts";
import { agentCommand } from "../../providers/index.ts";
import { BottleError } from "../../util/errors.ts";
import { bottleFiles } from "../../state/bottle-files.ts";
import { BUNDLE_FILES, writeBundleFolder } from "../shared/bundle-folder.ts";
import { ensureCa } from "../../bundle/proxy/ca.ts";
import type { Cidr } from "../../plan/subnet.ts";
import { spawnDetached } from "../../util/run.ts";
import { timed } from "../../util/phases.ts";
import { ContainerSidecar, EgressTaken } from "../shared/bundle-sidecar.ts";
import { LABEL_IDENTITY, LABEL_STATE, reapArgv, type ContainerSpec } from "../shared/docker-argv.ts";
import { Docker, SCRIPT_ARG_MAX } from "../shared/docker.ts";
import { liveStatus } from "../shared/live-status.ts";
import { provisionAgent, reportWarnings, startScript, type AgentIO } from "../shared/provision.ts";
import { pipeTarInto } from "./copy.ts";
import { rejoinArgv, sessionArgv, viaShell } from "../session-holder.ts";

/** Names that steer the docker CLI itself: never pass them through its environment. */
const CLI_ENV = /^(DOCKER_|PATH$|HOME$|TMPDIR$)/;

/** Written once the start script succeeded: a restart (`resume`) does not run it again. */
export const START_DONE = `${BOTTLE_ETC}/.provisioned`;
export const START_MARKS = { done: "bot-bottle-provisioned", failed: "bot-bottle-provision-failed" };

/**
 * Pure: the agent container's command (PID 1 under --init, as root) when it
 * provisions itself: the start script (its argument: nothing in it is hidden
 * from the agent, which reads the same files) once, then sleep. The agent
 * itself only ever runs through `exec`.
 */
export function agentStartCmd(script: string): string[] {
  const body = `if [ ! -e ${START_DONE} ]; then sh -c "$1" || { echo ${START_MARKS.failed}; exit 1; }; : > ${START_DONE}; echo ${START_MARKS.done}; fi; exec sleep infinity`;
  return ["sh", "-c", body, "bot-bottle-start", script];
}

/** Pure: the agent container's spec. Secret agent env travels by name (values via the CLI env). */
export function agentContainerSpec(plan: BottlePlan, image: string, key: string): { spec: ContainerSpec; values: Record<string, string> } {
  const env: Record<string, string> = {};
  const values: Record<string, string> = {};
  for (const v of plan.env) {
    if (v.secret && !CLI_ENV.test(v.name)) values[v.name] = v.value;
    else env[v.name] = v.value;
  }
  return {
    spec: {
      name: plan.containers.agent,
      image,
      labels: { identity: plan.identity, state: key, role: "agent" },
      network: plan.network.internal,
      ip: plan.network.agentIp,
      hostname: plan.identity,
      env,
      passEnv: Object.keys(values).sort(),
      // Root in the container only provisions (chown, write root-owned files); the agent runs as node with none.
      capAdd: ["CHOWN", "DAC_OVERRIDE", "FOWNER"],
      cpus: plan.resources.cpus,
      memory: plan.resources.memory,
      init: true,
      workdir: plan.workdir,
      cmd: ["sleep", "infinity"],
    },
    values,
  };
}

export class DockerDriver implements BackendDriver {
  readonly name = "docker" as const;
  readonly docker: Docker;
  private readonly env: Record<string, string | undefined>;
  private config?: Config;
  private readonly sidecar: ContainerSidecar;

  constructor(o: { docker?: Docker; config?: Config; env?: Record<string, string | undefined>; routes?: () => Cidr[] } = {}) {
    this.docker = o.docker ?? new Docker();
    this.env = o.env ?? process.env;
    this.config = o.config;
    this.sidecar = new ContainerSidecar(this.docker, () => this.cfg(), this.env, o.routes);
  }

  private cfg(): Config {
    return (this.config ??= loadConfig(this.env));
  }

  get stateKey(): string {
    return this.sidecar.stateKey;
  }

  /** Build or reuse both images. */
  images(plan: BottlePlan): Promise<{ agent: string; bundle: string }> {
    return this.sidecar.images(plan);
  }

  /** See BundleSidecar.createNetworks (the docker backend never gives the host an address). */
  createNetworks(plan: BottlePlan, opts: { hostAddress?: boolean } = {}): Promise<void> {
    return this.sidecar.createNetworks(plan, opts);
  }

  async up(plan: BottlePlan, secrets: Record<string, string>): Promise<void> {
    consola.start(`starting bottle ${plan.identity}`);
    try {
      try {
        await this.upOnce(plan, secrets, true);
      } catch (e) {
        if (!(e instanceof EgressTaken)) throw e;
        // Rare: another network took the egress block meanwhile. Everything moves to a free block.
        consola.debug(`${e.message}; starting over on another block`);
        await this.remove(plan);
        await this.upOnce(plan, secrets, false);
      }
    } catch (e) {
      // The first real error is what the operator sees; the lifecycle reports leftovers after it.
      await this.remove(plan).catch((err) => consola.debug(`cleanup after a failed start: ${(err as Error).message}`));
      throw e;
    }
  }

  /** `internalFirst`: the egress network is made while the containers start (see createInternalFirst). */
  private async upOnce(plan: BottlePlan, secrets: Record<string, string>, internalFirst: boolean): Promise<void> {
    {
      // Images and networks need nothing from each other. Both settle before going on,
      // so a failure never leaves a create in flight behind the cleanup.
      const nets = () => (internalFirst ? this.sidecar.createInternalFirst(plan) : this.createNetworks(plan).then(() => ({ egress: Promise.resolve() })));
      const [img, net] = await Promise.allSettled([timed("images", () => this.images(plan)), timed("networks", nets)]);
      const egress = net.status === "fulfilled" ? net.value.egress : Promise.resolve();
      egress.catch(() => {}); // awaited below; never an unhandled rejection when an earlier step fails
      if (img.status === "rejected") throw await settledFirst(egress, img.reason);
      if (net.status === "rejected") throw net.reason;
      const images = img.value;
      const hostDir = writeBundleFolder(plan, { listenHost: "0.0.0.0" }, this.env);
      // The host makes the CA (the bundle loads it): the agent can be provisioned while the bundle starts.
      const { certPem: caPem } = await timed("ca", () => ensureCa(join(hostDir, BUNDLE_FILES.caDir)));
      const scratchDir = bottleFiles(plan.identity, this.env).dir;
      mkdirSync(scratchDir, { recursive: true });
      const { spec, values } = agentContainerSpec(plan, images.agent, this.stateKey);
      // The agent's requests go to the engine first: its start (with the root script) is the longer of the two.
      let bundleReady!: Promise<void>;
      const agentReady = (async () => {
        // Through the engine, the root script runs as the container starts (no `exec`); otherwise by `exec` after it.
        const script = startScript(plan, caPem);
        const out = await timed("agent start", async () => {
          const ran = Buffer.byteLength(script) > SCRIPT_ARG_MAX ? null : await this.docker.runAttached({ ...spec, cmd: agentStartCmd(script) }, values, START_MARKS);
          if (ran === null) await this.docker.runDetached(spec, values);
          return ran;
        });
        if (out !== null) reportWarnings(out);
        await timed("provisioning", () => provisionAgent(this.agentIO(plan), { plan, caPem, scratchDir, bundleReady, ranAtStart: out !== null }));
      })();
      bundleReady = timed("bundle", () => this.sidecar.start(plan, images.bundle, hostDir, secrets, egress));
      // The egress create settles too, so nothing is left in flight behind a cleanup.
      const steps = await Promise.allSettled([bundleReady, agentReady, egress]);
      const taken = steps.find((st) => st.status === "rejected" && st.reason instanceof EgressTaken);
      if (taken) throw (taken as PromiseRejectedResult).reason;
      for (const st of steps) if (st.status === "rejected") throw st.reason;
    }
  }

  startBundle(plan: BottlePlan, image: string, hostDir: string, secrets: Record<string, string>): Promise<void> {
    return this.sidecar.start(plan, image, hostDir, secrets);
  }

  agentIO(plan: BottlePlan): AgentIO {
    const container = plan.containers.agent;
    return {
      rootScript: (script) => this.docker.script(container, "root", script),
      untar: (tarArgv, dest) => pipeTarInto(tarArgv, container, dest),
    };
  }

  async attach(plan: BottlePlan, opts: AttachOptions): Promise<number> {
    const argv = agentCommand(plan, opts);
    const spec = { container: plan.containers.agent, argv, user: AGENT_USER, workdir: plan.workdir };
    if (opts.interactive) return this.docker.execInherit({ ...spec, argv: sessionArgv(argv), interactive: true, tty: true });
    const log = bottleFiles(plan.identity, this.env).transcript;
    mkdirSync(join(log, ".."), { recursive: true });
    return this.docker.execStream({ ...spec, argv: viaShell(argv) }, log);
  }

  async rejoin(plan: BottlePlan): Promise<number> {
    return this.docker.execInherit({ container: plan.containers.agent, argv: rejoinArgv(), user: AGENT_USER, workdir: plan.workdir, interactive: true, tty: true });
  }

  async exec(plan: BottlePlan, argv: string[], opts: { tty: boolean }): Promise<number> {
    return this.docker.execInherit({ container: plan.containers.agent, argv: viaShell(argv), user: AGENT_USER, workdir: plan.workdir, interactive: true, tty: opts.tty });
  }

  async start(plan: BottlePlan): Promise<void> {
    await this.sidecar.restart(plan);
    await this.docker.start([plan.containers.agent]);
  }

  async stop(plan: BottlePlan): Promise<void> {
    await this.docker.stop([plan.containers.agent, plan.containers.bundle]);
  }

  /** By name (the plan knows them): two docker calls, no lookups. `gc` finds anything else by label. */
  async remove(plan: BottlePlan): Promise<void> {
    await this.docker.rm([plan.containers.agent, plan.containers.bundle]);
    await this.docker.networkRm([plan.network.internal, plan.network.egress]);
  }

  /** After `run`: the transcript and audit logs are host files already, so nothing is lost if this fails. */
  removeLater(plan: BottlePlan): void {
    spawnDetached(reapArgv([plan.containers.agent, plan.containers.bundle], [plan.network.internal, plan.network.egress]));
  }

  /** Everything labelled with this identity (and our state), whatever the plan says. */
  removeIdentity(identity: string): Promise<void> {
    return this.sidecar.removeIdentity(identity);
  }

  async status(plan: BottlePlan): Promise<LiveStatus> {
    const states = await this.docker.states([plan.containers.bundle, plan.containers.agent]);
    return liveStatus(states.get(plan.containers.bundle), states.get(plan.containers.agent));
  }

  async collect(plan: BottlePlan, argv: string[], o: CollectOptions): Promise<{ code: number; stderr: string } | null> {
    const agent = plan.containers.agent;
    const spec = { container: agent, argv, user: AGENT_USER, workdir: "/" };
    // Exec first (the common case, and one docker call fewer); docker's own refusal says why not.
    const first = await this.docker.execToFile(spec, o.out, o.input, o.signal);
    if (first.code === 0 || !isDockerRefusal(first.stderr)) return first;
    // Removed, or being removed in the background after a `run` (its work already came home).
    if (/No such container|marked for removal|removal of container .* is already in progress/i.test(first.stderr)) {
      // Gone for good, unless the engine itself cannot answer (then this throws: unknown, never gone).
      await this.docker.containers([`${LABEL_IDENTITY}=${plan.identity}`]);
      return null;
    }
    // Stopped: the agent container only runs `sleep infinity`, so starting it alone brings back no agent.
    try {
      await this.docker.start([agent]);
    } catch (e) {
      if (/marked for removal|No such container/i.test((e as Error).message)) return null;
      throw e;
    }
    try {
      return await this.docker.execToFile(spec, o.out, o.input, o.signal);
    } finally {
      await this.docker.stop([agent]).catch((e) => consola.warn(`stopping ${agent} again: ${(e as Error).message}`));
    }
  }

  /** One `docker inspect` for every container of every bottle. */
  async statuses(plans: BottlePlan[]): Promise<Map<string, LiveStatus>> {
    const out = new Map<string, LiveStatus>();
    if (!plans.length) return out;
    const states = await this.docker.states(plans.flatMap((p) => [p.containers.bundle, p.containers.agent]));
    for (const p of plans) out.set(p.identity, liveStatus(states.get(p.containers.bundle), states.get(p.containers.agent)));
    return out;
  }

  async listIdentities(): Promise<string[]> {
    const filter = [LABEL_IDENTITY, `${LABEL_STATE}=${this.stateKey}`];
    const ids = new Set<string>();
    for (const c of await this.docker.containers(filter)) if (c.identity) ids.add(c.identity);
    for (const n of await this.docker.networks(filter)) if (n.identity) ids.add(n.identity);
    return [...ids].sort();
  }
}

/** Wait for `p` to settle (success or not), then give back `e`: throw nothing while a create is in flight. */
async function settledFirst(p: Promise<unknown>, e: unknown): Promise<unknown> {
  await p.catch(() => {});
  return e;
}

/** Pure: docker refused the exec itself (the container is missing or not running), as opposed to the command failing. */
export function isDockerRefusal(stderr: string): boolean {
  return /^Error response from daemon: (No such container|container [0-9a-f]+ is not running|Container [0-9a-f]+ is not running)/im.test(stderr) || /^Error: No such container/im.test(stderr);
}
