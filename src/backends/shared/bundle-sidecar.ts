// The bundle sidecar as both drivers run it: a docker container on the
// bottle's internal network (pinned IP) plus an egress network. The docker
// driver puts its agent container next to it; smolmachines its micro-VM.
import { consola } from "consola";
import type { BottlePlan } from "../../plan/types.ts";
import type { Config } from "../../config/config.ts";
import { agentRecipe, bundleRecipe, ensureImage } from "../../images/build.ts";
import { resolveBundleBinary } from "../../images/bundle-binary.ts";
import { sha256Hex } from "../../images/tag.ts";
import { BottleError } from "../../util/errors.ts";
import { stateDir } from "../../util/paths.ts";
import { startBundleContainer, waitBundleReady } from "./bundle-container.ts";
import { bundleFolder } from "./bundle-folder.ts";
import { LABEL_IDENTITY, LABEL_STATE } from "./docker-argv.ts";
import type { Docker } from "./docker.ts";
import { replanSubnet } from "./subnet-retry.ts";

/** Subnet attempts before giving up (each is the next /24). */
export const SUBNET_ATTEMPTS = 8;

/** Short, stable key of the state database: gc only touches its own bottles. */
export function stateKey(env: Record<string, string | undefined> = process.env): string {
  return sha256Hex(stateDir(env)).slice(0, 12);
}

/** What a driver asks of the sidecar; nothing about how the agent runs. */
export interface BundleSidecar {
  /** Value of the bot-bottle.state label on everything made. */
  readonly stateKey: string;
  /** Build or reuse the agent and bundle images. */
  images(plan: BottlePlan): Promise<{ agent: string; bundle: string }>;
  /** Internal + egress networks; may move `plan` to another subnet on overlap. */
  createNetworks(plan: BottlePlan, opts?: { hostAddress?: boolean }): Promise<void>;
  /** Create and start the bundle container, resolve once it is ready. */
  start(plan: BottlePlan, image: string, hostDir: string, secrets: Record<string, string>): Promise<void>;
  /** Start a stopped (kept) bundle and wait until ready. */
  restart(plan: BottlePlan, goneHint?: string): Promise<void>;
  /** Everything labelled with this identity (and our state). Idempotent. */
  removeIdentity(identity: string): Promise<void>;
}

export class ContainerSidecar implements BundleSidecar {
  constructor(
    private readonly docker: Docker,
    private readonly cfg: () => Config,
    private readonly env: Record<string, string | undefined>,
  ) {}

  get stateKey(): string {
    return stateKey(this.env);
  }

  async images(plan: BottlePlan): Promise<{ agent: string; bundle: string }> {
    const cfg = this.cfg();
    const arch = await this.docker.arch();
    const binary = await resolveBundleBinary(arch, this.env);
    const bundle = await ensureImage(this.docker, bundleRecipe(cfg, binary), this.env);
    const agent = plan.image ?? (await ensureImage(this.docker, agentRecipe(plan.provider, plan.baseImage, cfg), this.env));
    return { agent, bundle };
  }

  /**
   * Create the networks (in parallel); the internal one walks subnets on
   * overlap and mutates `plan` to the one that worked. `hostAddress`: give
   * the host an address on the internal bridge. The docker backend never
   * does (an address there lets the agent reach host services);
   * smolmachines must, because the VM's connections leave from the host's
   * own network stack (TSI) and would otherwise follow the default route out.
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

  /** The bundle on the internal network with its pinned IP, plus the egress network. */
  start(plan: BottlePlan, image: string, hostDir: string, secrets: Record<string, string>): Promise<void> {
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

  async restart(plan: BottlePlan, goneHint = "if its containers are gone, `bot-bottle rm` it"): Promise<void> {
    await this.docker.start([plan.containers.bundle]).catch((e) => {
      throw new BottleError("DOCKER", `cannot start ${plan.identity}: ${(e as Error).message}`, { hint: goneHint });
    });
    await waitBundleReady(this.docker, plan.containers.bundle, bundleFolder(plan.identity, this.env));
  }

  async removeIdentity(identity: string): Promise<void> {
    const filter = [`${LABEL_IDENTITY}=${identity}`, `${LABEL_STATE}=${this.stateKey}`];
    const containers = await this.docker.containers(filter);
    await this.docker.rm(containers.map((c) => c.name));
    const networks = await this.docker.networks(filter);
    await Promise.all(networks.map((n) => this.docker.networkRm([n.name])));
  }
}
