// The smolmachines backend: the bundle is a docker container exactly as in the
// docker backend (internal network with its pinned IP + egress network); the
// agent is a smolvm micro-VM created from a cached `.smolmachine` of the agent
// image. The VM reaches the bundle through TSI (its sockets are made by the
// host's stack), so --allow-cidr names the bundle IP, and the bundle's daemons
// listen on that IP only: TSI filters by IP, not port, so whatever listens on
// the bundle IP is reachable by the agent, and nothing but the three daemons
// may. (smolvm before 1.8 drops --allow-cidr for --from machines: see README.)
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { consola } from "consola";
import type { AttachOptions, BackendDriver, CollectOptions, LiveStatus } from "../types.ts";
import type { BottlePlan } from "../../plan/types.ts";
import { loadConfig, type Config } from "../../config/config.ts";
import { agentCommand } from "../../providers/index.ts";
import { AGENT_HOME, AGENT_USER } from "../../plan/bottle-paths.ts";
import { BottleError } from "../../util/errors.ts";
import { decodeBase64File } from "../../util/base64-file.ts";
import { bottleFiles } from "../../state/bottle-files.ts";
import type { Runner } from "../../util/run.ts";
import { readBundleCa, writeBundleFolder } from "../shared/bundle-folder.ts";
import { ContainerSidecar, type BundleSidecar } from "../shared/bundle-sidecar.ts";
import { Docker } from "../shared/docker.ts";
import { liveStatus } from "../shared/live-status.ts";
import { provisionAgent } from "../shared/provision.ts";
import { asAgentUser, createOptions, execOptions, guestEnv, identityOfMachine, machineName } from "./guest.ts";
import { collectArgv, smolvmAgentIO } from "./guest-io.ts";
import { ensurePackedArtifact, packCacheDir } from "./pack.ts";
import { isMissingBinary, Smolvm } from "./smolvm.ts";
import { fromHonoursAllowCidr } from "./smolvm-argv.ts";
import type { MachineState } from "./smolvm-ls.ts";

export interface SmolmachinesOptions {
  smolvm?: Smolvm;
  docker?: Docker;
  runner?: Runner;
  config?: Config;
  env?: Record<string, string | undefined>;
}

/** Pure: a machine's state as the docker-style word liveStatus() reads. */
export function machineStateWord(s: MachineState | "missing"): string | undefined {
  if (s === "missing") return undefined;
  if (s === "running") return "running";
  if (s === "unreachable") return "unreachable";
  return "exited";
}

export class SmolmachinesDriver implements BackendDriver {
  readonly name = "smolmachines" as const;
  readonly smolvm: Smolvm;
  readonly docker: Docker;
  private readonly runner?: Runner;
  private readonly env: Record<string, string | undefined>;
  private config?: Config;
  /** Images, networks, the bundle container and their removal: the same as the docker backend's. */
  private readonly sidecar: BundleSidecar;

  constructor(o: SmolmachinesOptions = {}) {
    this.env = o.env ?? process.env;
    this.runner = o.runner;
    this.docker = o.docker ?? new Docker(o.runner);
    this.smolvm = o.smolvm ?? new Smolvm({ runner: o.runner, bin: this.env.BOT_BOTTLE_SMOLVM || undefined });
    this.config = o.config;
    this.sidecar = new ContainerSidecar(this.docker, () => this.cfg(), this.env);
  }

  private cfg(): Config {
    return (this.config ??= loadConfig(this.env));
  }

  async up(plan: BottlePlan, secrets: Record<string, string>): Promise<void> {
    try {
      const version = await this.smolvm.version();
      const images = await this.sidecar.images(plan);
      const pack = await ensurePackedArtifact(images.agent, {
        smolvm: this.smolvm,
        runner: this.runner,
        registryImage: this.cfg().registryImage,
        cacheDir: packCacheDir(this.env),
        env: this.env,
        log: (m) => consola.info(m),
      });
      consola.debug(`agent artifact ${pack.artifact} (${pack.hit ? "cached" : `packed in ${pack.ms} ms`})`);
      if (!fromHonoursAllowCidr(version)) {
        consola.warn(
          `smolvm ${version.raw} ignores --allow-cidr for packed machines: the VM's own network is not filtered; ` +
            "the bundle still governs everything sent through its proxy (smolvm 1.8+ enforces the filter)",
        );
      }
      consola.start(`starting bottle ${plan.identity} (smolvm ${version.raw})`);
      await this.sidecar.createNetworks(plan, { hostAddress: true });
      const hostDir = writeBundleFolder(plan, { listenHost: plan.network.bundleIp }, this.env);
      await this.sidecar.start(plan, images.bundle, hostDir, secrets);
      const g = guestEnv(plan);
      await this.smolvm.create(createOptions(plan, pack.artifact), g.values);
      await this.smolvm.start(machineName(plan.identity));
      // pack maps every file to root; the agent user must own its home again.
      await this.smolvm.execOk(execOptions(plan, ["chown", "-R", `${AGENT_USER}:${AGENT_USER}`, AGENT_HOME], { asAgent: false, workdir: "/" }), g.values);
      const caPem = readBundleCa(hostDir);
      if (!caPem) throw new BottleError("PROXY", "the bundle is ready but wrote no CA", { hint: `look in ${hostDir}` });
      const scratchDir = bottleFiles(plan.identity, this.env).scratch;
      mkdirSync(scratchDir, { recursive: true, mode: 0o700 });
      try {
        await provisionAgent(smolvmAgentIO(this.smolvm, plan, scratchDir), { plan, caPem, scratchDir });
      } finally {
        rmSync(scratchDir, { recursive: true, force: true });
      }
    } catch (e) {
      await this.remove(plan).catch((err) => consola.debug(`cleanup after a failed start: ${(err as Error).message}`));
      throw e;
    }
  }

  async attach(plan: BottlePlan, opts: AttachOptions): Promise<number> {
    const argv = agentCommand(plan, opts);
    const g = guestEnv(plan);
    if (opts.interactive) {
      return this.smolvm.execAttached(execOptions(plan, argv, { asAgent: true, interactive: true, tty: true }), g.values);
    }
    const log = bottleFiles(plan.identity, this.env).transcript;
    mkdirSync(join(log, ".."), { recursive: true });
    return this.smolvm.execStreamed(execOptions(plan, argv, { asAgent: true }), g.values, log);
  }

  async exec(plan: BottlePlan, argv: string[], opts: { tty: boolean }): Promise<number> {
    const o = execOptions(plan, argv, { asAgent: true, interactive: true, tty: opts.tty });
    return this.smolvm.execAttached(o, guestEnv(plan).values);
  }

  async start(plan: BottlePlan): Promise<void> {
    await this.sidecar.restart(plan, "if its bundle is gone, `bot-bottle rm` it");
    await this.smolvm.start(machineName(plan.identity));
  }

  async stop(plan: BottlePlan): Promise<void> {
    const name = machineName(plan.identity);
    if ((await this.machineState(name)) === "running") await this.smolvm.stop(name);
    await this.docker.stop([plan.containers.bundle]);
  }

  /** Reverse order of up(): machine, then the bundle container, then the networks. Idempotent. */
  async remove(plan: BottlePlan): Promise<void> {
    await this.removeMachine(machineName(plan.identity));
    await this.sidecar.removeIdentity(plan.identity);
  }

  private async removeMachine(name: string): Promise<void> {
    const state = await this.machineState(name);
    if (state === "missing") return;
    if (state === "running") await this.smolvm.stop(name).catch((e) => consola.debug(`machine stop: ${(e as Error).message}`));
    await this.smolvm.delete(name);
  }

  /** "missing" also when smolvm itself is absent: nothing of ours can then be left. */
  private async machineState(name: string): Promise<MachineState | "missing"> {
    try {
      return await this.smolvm.state(name);
    } catch (e) {
      if (isMissingBinary(e)) return "missing";
      throw e;
    }
  }

  async status(plan: BottlePlan): Promise<LiveStatus> {
    const machine = machineStateWord(await this.machineState(machineName(plan.identity)));
    const bundle = (await this.docker.states([plan.containers.bundle])).get(plan.containers.bundle);
    return liveStatus(bundle, machine);
  }

  async collect(plan: BottlePlan, argv: string[], o: CollectOptions): Promise<{ code: number; stderr: string } | null> {
    const name = machineName(plan.identity);
    const state = await this.machineState(name);
    if (state === "missing") return null;
    const started = state !== "running";
    if (started) await this.smolvm.start(name);
    try {
      let guestInput: string | null = null;
      if (o.input) {
        // exec gives a non-interactive command no stdin: the input travels as a copied file.
        const host = `${o.out}.in`;
        writeFileSync(host, o.input, { mode: 0o600 });
        guestInput = `/tmp/bot-bottle-collect-${process.pid}-${Date.now()}`;
        try {
          await this.smolvm.copyIn(name, host, guestInput);
        } finally {
          rmSync(host, { force: true });
        }
      }
      const exec = execOptions(plan, collectArgv(guestInput, asAgentUser(argv)), { asAgent: false, workdir: "/" });
      const r = await this.smolvm.execToFile(exec, guestEnv(plan).values, o.out, o.signal);
      // The guest sends base64 (exec output is text); decoded a piece at a time, never held whole.
      try {
        decodeBase64File(o.out, o.out);
      } catch (e) {
        // A failed or stopped command's output is the caller's to throw away; a whole one must decode.
        if (r.code !== 0) return r;
        throw new BottleError("SMOLVM", `the output of a command in ${name} did not come back whole: ${(e as Error).message}`, { hint: "try again; `bot-bottle doctor` checks smolvm" });
      }
      return r;
    } finally {
      if (started) await this.smolvm.stop(name).catch((e) => consola.warn(`stopping ${name} again: ${(e as Error).message}`));
    }
  }

  async listIdentities(): Promise<string[]> {
    let machines: string[] = [];
    try {
      machines = (await this.smolvm.list()).map((m) => identityOfMachine(m.name)).filter((id): id is string => id !== null);
    } catch (e) {
      if (!isMissingBinary(e)) throw e;
    }
    return [...new Set(machines)].sort();
  }
}

export function createSmolmachinesDriver(o: SmolmachinesOptions = {}): SmolmachinesDriver {
  return new SmolmachinesDriver(o);
}
