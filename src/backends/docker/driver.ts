// The docker backend: an internal network for agent ↔ bundle, an egress
// network for the bundle only, the bundle container, then the agent
// container (PID 1 sleeps; the agent program runs through `docker exec`, so a
// kept bottle can be re-attached and `exec` works while it is up).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { consola } from "consola";
import type { AttachOptions, BackendDriver, LiveStatus } from "../types.ts";
import type { BottlePlan } from "../../plan/types.ts";
import { AGENT_USER } from "../../plan/bottle-paths.ts";
import { loadConfig, type Config } from "../../config/config.ts";
import { agentRecipe, bundleRecipe, ensureImage } from "../../images/build.ts";
import { resolveBundleBinary } from "../../images/bundle-binary.ts";
import { bundleFolder, readBundleCa, writeBundleFolder } from "../../lifecycle/bundle-folder.ts";
import { provisionAgent, type AgentIO } from "../../lifecycle/provision.ts";
import { replanSubnet } from "../../lifecycle/subnet-retry.ts";
import { agentCommand } from "../../providers/index.ts";
import { BottleError } from "../../util/errors.ts";
import { bottleDir, stateDir } from "../../util/paths.ts";
import { LABEL_IDENTITY, LABEL_STATE, type ContainerSpec } from "./argv.ts";
import { startBundleContainer, waitBundleReady } from "./bundle.ts";
import { Docker } from "./docker.ts";
import { sha256Hex } from "../../images/tag.ts";
import { pipeTarInto } from "./copy.ts";

/** Subnet attempts before giving up (each is the next /24). */
export const SUBNET_ATTEMPTS = 8;

/** Names that steer the docker CLI itself: never pass them through its environment. */
const CLI_ENV = /^(DOCKER_|PATH$|HOME$|TMPDIR$)/;

/** Short, stable key of the state database: gc only touches its own bottles. */
export function stateKey(env: Record<string, string | undefined> = process.env): string {
  return sha256Hex(stateDir(env)).slice(0, 12);
}

/** Transcript of non-interactive runs, shown by `logs`. */
export function transcriptFile(identity: string, env: Record<string, string | undefined> = process.env): string {
  return join(bottleDir(identity, env), "agent.log");
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

  constructor(o: { docker?: Docker; config?: Config; env?: Record<string, string | undefined> } = {}) {
    this.docker = o.docker ?? new Docker();
    this.env = o.env ?? process.env;
    this.config = o.config;
  }

  private cfg(): Config {
    return (this.config ??= loadConfig(this.env));
  }

  get stateKey(): string {
    return stateKey(this.env);
  }

  /** Build or reuse both images. */
  async images(plan: BottlePlan): Promise<{ agent: string; bundle: string }> {
    const cfg = this.cfg();
    const arch = await this.docker.arch();
    const binary = await resolveBundleBinary(arch, this.env);
    const bundle = await ensureImage(this.docker, bundleRecipe(cfg, binary), this.env);
    const agent = plan.image ?? (await ensureImage(this.docker, agentRecipe(plan.provider, plan.baseImage, cfg), this.env));
    return { agent, bundle };
  }

  /** Create the networks (in parallel); the internal one walks subnets on overlap and mutates `plan` to the one that worked. */
  /**
   * `hostAddress`: give the host an address on the internal bridge. The docker
   * backend never does (an address there lets the agent reach host services);
   * smolmachines must, because the VM's connections leave from the host's own
   * network stack (TSI) and would otherwise follow the default route out.
   */
  async createNetworks(plan: BottlePlan, opts: { hostAddress?: boolean } = {}): Promise<void> {
    const key = this.stateKey;
    const egress = this.docker.networkCreate({ name: plan.network.egress, internal: false, labels: { identity: plan.identity, state: key, role: "egress" } });
    const internal = (async () => {
      for (let attempt = 0; ; ) {
        const r = await this.docker.networkCreate({
          name: plan.network.internal,
          internal: true,
          subnet: plan.network.cidr,
          gateway: plan.network.gateway,
          noHostAddress: !opts.hostAddress,
          labels: { identity: plan.identity, state: key, role: "internal" },
        });
        if (r === "ok") return;
        if (++attempt >= SUBNET_ATTEMPTS) {
          throw new BottleError("DOCKER", `no free subnet for ${plan.identity} after ${SUBNET_ATTEMPTS} tries (last ${plan.network.cidr})`, {
            hint: "remove unused networks (`bot-bottle gc`, `docker network prune`) or set subnet_base in config.toml",
          });
        }
        consola.debug(`subnet ${plan.network.cidr} is taken; trying the next one`);
        Object.assign(plan, replanSubnet(plan, attempt));
      }
    })();
    // Both settle before returning, so a failure never leaves a create in flight behind a teardown.
    const [e, i] = await Promise.allSettled([egress, internal]);
    if (i.status === "rejected") throw i.reason;
    if (e.status === "rejected") throw e.reason;
  }

  async up(plan: BottlePlan, secrets: Record<string, string>): Promise<void> {
    try {
      const images = await this.images(plan);
      consola.start(`starting bottle ${plan.identity}`);
      await this.createNetworks(plan);
      const hostDir = writeBundleFolder(plan, { listenHost: "0.0.0.0" }, this.env);
      const { spec, values } = agentContainerSpec(plan, images.agent, this.stateKey);
      // The agent starts while the bundle gets ready: provisioning needs both, neither needs the other.
      const steps = await Promise.allSettled([
        this.startBundle(plan, images.bundle, hostDir, secrets),
        this.docker.create(spec, values).then(() => this.docker.start([spec.name])),
      ]);
      for (const st of steps) if (st.status === "rejected") throw st.reason;
      const caPem = readBundleCa(hostDir);
      if (!caPem) throw new BottleError("PROXY", "the bundle is ready but wrote no CA", { hint: `look in ${hostDir}` });
      const scratchDir = bottleDir(plan.identity, this.env);
      mkdirSync(scratchDir, { recursive: true });
      await provisionAgent(this.agentIO(plan), { plan, caPem, scratchDir });
    } catch (e) {
      await this.remove(plan).catch((err) => consola.warn(`cleanup after a failed start: ${(err as Error).message}`));
      throw e;
    }
  }

  /** The bundle on the internal network with its pinned IP, plus the egress network (shared with smolmachines). */
  startBundle(plan: BottlePlan, image: string, hostDir: string, secrets: Record<string, string>) {
    return startBundleContainer(this.docker, {
      plan,
      image,
      network: plan.network.internal,
      ip: plan.network.bundleIp,
      extraNetworks: [plan.network.egress],
      hostDir,
      secrets,
      stateKey: this.stateKey,
    });
  }

  agentIO(plan: BottlePlan): AgentIO {
    const container = plan.containers.agent;
    return {
      rootScript: (script) => this.docker.execOk({ container, argv: ["sh", "-s"], user: "root" }, script),
      untar: (tarArgv, dest) => pipeTarInto(tarArgv, container, dest),
    };
  }

  async attach(plan: BottlePlan, opts: AttachOptions): Promise<number> {
    const argv = agentCommand(plan, opts);
    const spec = { container: plan.containers.agent, argv, user: AGENT_USER, workdir: plan.workdir };
    if (opts.interactive) return this.docker.execInherit({ ...spec, interactive: true, tty: true });
    const log = transcriptFile(plan.identity, this.env);
    mkdirSync(join(log, ".."), { recursive: true });
    return this.docker.execStream(spec, log);
  }

  async exec(plan: BottlePlan, argv: string[], opts: { tty: boolean }): Promise<number> {
    return this.docker.execInherit({ container: plan.containers.agent, argv, user: AGENT_USER, workdir: plan.workdir, interactive: true, tty: opts.tty });
  }

  async start(plan: BottlePlan): Promise<void> {
    const hostDir = bundleFolder(plan.identity, this.env);
    await this.docker.start([plan.containers.bundle]).catch((e) => {
      throw new BottleError("DOCKER", `cannot start ${plan.identity}: ${(e as Error).message}`, { hint: "if its containers are gone, `bot-bottle rm` it" });
    });
    await waitBundleReady(this.docker, plan.containers.bundle, hostDir);
    await this.docker.start([plan.containers.agent]);
  }

  async stop(plan: BottlePlan): Promise<void> {
    await this.docker.stop([plan.containers.agent, plan.containers.bundle]);
  }

  async remove(plan: BottlePlan): Promise<void> {
    await this.removeIdentity(plan.identity);
  }

  /** Everything labelled with this identity (and our state), whatever the plan says. */
  async removeIdentity(identity: string): Promise<void> {
    const filter = [`${LABEL_IDENTITY}=${identity}`, `${LABEL_STATE}=${this.stateKey}`];
    const containers = await this.docker.containers(filter);
    await this.docker.rm(containers.map((c) => c.name));
    const networks = await this.docker.networks(filter);
    await Promise.all(networks.map((n) => this.docker.networkRm([n.name])));
  }

  async status(plan: BottlePlan): Promise<LiveStatus> {
    const states = await this.docker.states([plan.containers.bundle, plan.containers.agent]);
    return liveStatus(states.get(plan.containers.bundle), states.get(plan.containers.agent));
  }

  async listIdentities(): Promise<string[]> {
    const filter = [LABEL_IDENTITY, `${LABEL_STATE}=${this.stateKey}`];
    const ids = new Set<string>();
    for (const c of await this.docker.containers(filter)) if (c.identity) ids.add(c.identity);
    for (const n of await this.docker.networks(filter)) if (n.identity) ids.add(n.identity);
    return [...ids].sort();
  }
}

/** Pure: two container states → one bottle status. */
export function liveStatus(bundle: string | undefined, agent: string | undefined): LiveStatus {
  if (!bundle && !agent) return "missing";
  if (bundle === "running" && agent === "running") return "running";
  const stopped = (s: string | undefined) => s === "exited" || s === "created";
  if (stopped(bundle) && stopped(agent)) return "stopped";
  return "partial";
}
