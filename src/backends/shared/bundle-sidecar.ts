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
import { readFileSync } from "node:fs";
import { blockCidr, firstBlock, freeBlocks, overlaps, parseCidr, parsePool, parseProcRoutes, poolExhausted, type Cidr } from "../../plan/subnet.ts";

/** Network-create attempts before giving up (each after re-reading the engine's networks). */
export const SUBNET_ATTEMPTS = 16;

/** The host's routes (Linux; elsewhere the engine runs in a VM whose routes we cannot see). */
function hostRoutes(): Cidr[] {
  try {
    return parseProcRoutes(readFileSync("/proc/net/route", "utf8"));
  } catch {
    return [];
  }
}

/** Short, stable key of the state database: gc only touches its own bottles. */
export function stateKey(env: Record<string, string | undefined> = process.env): string {
  return sha256Hex(stateDir(env)).slice(0, 12);
}

/** The egress block was refused after the internal network was made on it: start over on another block. */
export class EgressTaken extends Error {}

/** What a driver asks of the sidecar; nothing about how the agent runs. */
export interface BundleSidecar {
  /** Value of the bot-bottle.state label on everything made. */
  readonly stateKey: string;
  /** Build or reuse the agent and bundle images. */
  images(plan: BottlePlan): Promise<{ agent: string; bundle: string }>;
  /** Internal + egress networks; may move `plan` to another subnet on overlap. */
  createNetworks(plan: BottlePlan, opts?: { hostAddress?: boolean }): Promise<void>;
  /** Create and start the bundle container, resolve once it is ready; `egress` settles once its network exists. */
  start(plan: BottlePlan, image: string, hostDir: string, secrets: Record<string, string>, egress?: Promise<void>): Promise<void>;
  /** Start a stopped (kept) bundle and wait until ready. */
  restart(plan: BottlePlan, goneHint?: string): Promise<void>;
  /** Everything labelled with this identity (and our state). Idempotent. */
  removeIdentity(identity: string): Promise<void>;
}

export class ContainerSidecar implements BundleSidecar {
  private readonly routes: () => Cidr[];

  constructor(
    private readonly docker: Docker,
    private readonly cfg: () => Config,
    private readonly env: Record<string, string | undefined>,
    /** The host's routes (tests substitute a fixed list). */
    routes?: () => Cidr[],
  ) {
    this.routes = routes ?? hostRoutes;
  }

  get stateKey(): string {
    return stateKey(this.env);
  }

  async images(plan: BottlePlan): Promise<{ agent: string; bundle: string }> {
    const cfg = this.cfg();
    const arch = await this.docker.arch();
    const binary = await resolveBundleBinary(arch, this.env);
    // Independent: looked up (or built) side by side; both settle, so no build is left running behind an error.
    const [bundle, agent] = await Promise.allSettled([
      ensureImage(this.docker, bundleRecipe(cfg, binary), this.env),
      plan.image ?? ensureImage(this.docker, agentRecipe(plan.provider, plan.baseImage, cfg), this.env),
    ]);
    if (bundle.status === "rejected") throw bundle.reason;
    if (agent.status === "rejected") throw agent.reason;
    return { agent: agent.value, bundle: bundle.value };
  }

  /**
   * Create both networks (in parallel) on the plan's block of the subnet pool.
   * A block that docker refuses (another network overlaps: a race with another
   * launch, or a network made outside bot-bottle) is given back, the engine's
   * networks are read once, and a free block is picked — spread by identity
   * and attempt so racing launches do not chase the same one. `plan` is
   * mutated to the block that worked.
   *
   * `hostAddress`: give the host an address on the internal bridge. The docker
   * backend never does (an address there lets the agent reach host services);
   * smolmachines must, because the VM's connections leave from the host's own
   * network stack (TSI) and would otherwise follow the default route out.
   */
  async createNetworks(plan: BottlePlan, opts: { hostAddress?: boolean } = {}): Promise<void> {
    const key = this.stateKey;
    const { pool } = plan.network;
    const routes = this.routes();
    const pick = (taken: Cidr[], attempt: number) => {
      const free = freeBlocks(pool, taken, firstBlock(`${plan.identity}#${attempt}`, pool), 1)[0];
      if (free === undefined) throw poolExhausted(pool, taken.filter((t) => overlaps(t, parsePool(pool))).length);
      Object.assign(plan, replanSubnet(plan, free));
    };
    if (routes.some((r) => overlaps(r, blockCidr(parsePool(pool), plan.network.block)))) pick(routes, 0);
    for (let attempt = 1; ; attempt++) {
      const n = plan.network;
      const made = await Promise.allSettled([
        this.docker.networkCreate({
          name: n.internal,
          internal: true,
          subnet: n.cidr,
          gateway: n.gateway,
          noHostAddress: !opts.hostAddress,
          labels: { identity: plan.identity, state: key, role: "internal" },
        }),
        this.docker.networkCreate({ name: n.egress, internal: false, subnet: n.egressCidr, gateway: n.egressGateway, labels: { identity: plan.identity, state: key, role: "egress" } }),
      ]);
      const ok = made.every((m) => m.status === "fulfilled" && m.value === "ok");
      if (ok) return;
      // Give back what was made on this block before trying another one.
      const names = [n.internal, n.egress].filter((_, i) => made[i]!.status === "fulfilled" && (made[i] as PromiseFulfilledResult<string>).value === "ok");
      await this.docker.networkRm(names);
      for (const m of made) if (m.status === "rejected") throw m.reason;
      if (attempt >= SUBNET_ATTEMPTS) {
        throw new BottleError("DOCKER", `no free subnet for ${plan.identity} after ${SUBNET_ATTEMPTS} tries (last ${n.cidr}): other networks kept taking them`, {
          hint: "try again; if it persists, set subnet_pool in config.toml (or BOT_BOTTLE_SUBNET_POOL) to a range nothing else uses",
        });
      }
      consola.debug(`subnet block ${n.cidr} is taken; reading the engine's networks`);
      const taken = [...routes, ...(await this.docker.networkSubnets()).map(parseCidr).filter((c): c is Cidr => c !== null)];
      pick(taken, attempt);
    }
  }

  /**
   * The launch path's networks: the internal one first (both containers need
   * only it), the egress one in the background (only the bundle's connect
   * needs it), so that create overlaps the container starts instead of
   * preceding them. A refused internal block takes createNetworks' way (give
   * back, read the engine's networks, move); a refused egress block rejects
   * `egress` with EgressTaken, and the caller removes what it made and starts
   * over with createNetworks.
   */
  async createInternalFirst(plan: BottlePlan): Promise<{ egress: Promise<void> }> {
    const n = plan.network;
    const key = this.stateKey;
    const routes = this.routes();
    if (routes.some((r) => overlaps(r, blockCidr(parsePool(n.pool), n.block)))) return this.createNetworks(plan).then(() => ({ egress: Promise.resolve() }));
    const internal = await this.docker.networkCreate({
      name: n.internal,
      internal: true,
      subnet: n.cidr,
      gateway: n.gateway,
      noHostAddress: true,
      labels: { identity: plan.identity, state: key, role: "internal" },
    });
    if (internal !== "ok") return this.createNetworks(plan).then(() => ({ egress: Promise.resolve() }));
    const egress = this.docker
      .networkCreate({ name: n.egress, internal: false, subnet: n.egressCidr, gateway: n.egressGateway, labels: { identity: plan.identity, state: key, role: "egress" } })
      .then((made) => {
        if (made !== "ok") throw new EgressTaken(`egress subnet ${n.egressCidr} is taken`);
      });
    // Handled from the start: it can reject while the caller still awaits other steps (the image
    // lookups), and a rejection nobody listens to yet ends the process. Callers await it later.
    egress.catch(() => {});
    return { egress };
  }

  /** The bundle on the internal network with its pinned IP, plus the egress network. */
  start(plan: BottlePlan, image: string, hostDir: string, secrets: Record<string, string>, egress?: Promise<void>): Promise<void> {
    return startBundleContainer(this.docker, {
      extraNetworksReady: egress,
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
    await this.docker.networkRm(networks.map((n) => n.name));
  }
}
