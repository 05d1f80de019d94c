// Typed wrapper over the smolvm CLI: argv from smolvm-argv.ts, failures from
// smolvm-errors.ts, the version detected once per wrapper (it decides the
// create/delete dialect).
import { BottleError } from "../../util/errors.ts";
import { run as defaultRunner, type Runner, type RunOptions } from "../../util/run.ts";
import {
  cpArgv,
  createArgv,
  deleteArgv,
  execArgv,
  isSupportedVersion,
  lsArgv,
  packCreateArgv,
  parseSmolvmVersion,
  startArgv,
  stopArgv,
  versionArgv,
  type CreateOptions,
  type ExecOptions,
  type SmolvmVersion,
} from "./smolvm-argv.ts";
import { classifySmolvmFailure, smolvmError } from "./smolvm-errors.ts";
import { parseMachineList, type MachineInfo, type MachineState } from "./smolvm-ls.ts";
import { spawnStream, type StreamRunner } from "../../util/stream.ts";

/** Values of `passEnv` names: they reach smolvm through its environment, never its argv. */
export type EnvValues = Record<string, string>;

export interface SmolvmOptions {
  runner?: Runner;
  stream?: StreamRunner;
  /** Executable name or path (BOT_BOTTLE_SMOLVM overrides "smolvm"). */
  bin?: string;
  env?: Record<string, string | undefined>;
}

export class Smolvm {
  readonly bin: string;
  private readonly runner: Runner;
  private readonly stream: StreamRunner;
  private readonly env?: Record<string, string | undefined>;
  private versionCache?: SmolvmVersion;

  constructor(o: SmolvmOptions = {}) {
    this.runner = o.runner ?? defaultRunner;
    this.stream = o.stream ?? spawnStream;
    this.bin = o.bin ?? process.env.BOT_BOTTLE_SMOLVM ?? "smolvm";
    this.env = o.env;
  }

  private call(argv: string[], opts: RunOptions = {}, values: EnvValues = {}) {
    const env = this.env || Object.keys(values).length ? { ...this.env, ...values } : undefined;
    return this.runner(argv, { ...opts, env });
  }

  private async ok(what: string, argv: string[], opts: RunOptions = {}, values: EnvValues = {}) {
    const res = await this.call(argv, opts, values);
    if (res.code !== 0) throw smolvmError(what, res.code, res.stderr || res.stdout);
    return res;
  }

  async version(): Promise<SmolvmVersion> {
    if (this.versionCache) return this.versionCache;
    const res = await this.ok("--version", versionArgv(this.bin)).catch((e) => {
      if (isMissingBinary(e)) {
        throw new BottleError("SMOLVM", `smolvm is not installed (no ${this.bin} on PATH)`, {
          hint: "install smolvm 0.8 or newer (or set BOT_BOTTLE_SMOLVM), or use --backend docker; `bot-bottle doctor` checks the host",
        });
      }
      throw e;
    });
    const v = parseSmolvmVersion(res.stdout);
    if (!v) throw new BottleError("SMOLVM", `cannot read the smolvm version from "${res.stdout.trim()}"`, { hint: "install smolvm 0.8 or newer" });
    if (!isSupportedVersion(v)) {
      throw new BottleError("SMOLVM", `smolvm ${v.raw} is too old`, { hint: "install smolvm 0.8 or newer, or use --backend docker" });
    }
    this.versionCache = v;
    return v;
  }

  async create(o: CreateOptions, values: EnvValues = {}): Promise<void> {
    await this.ok("machine create", createArgv(this.bin, await this.version(), o), {}, values);
  }

  async start(name: string): Promise<void> {
    await this.ok("machine start", startArgv(this.bin, name));
  }

  /** Stopping a machine that is already stopped succeeds (smolvm prints "is not running"). */
  async stop(name: string): Promise<void> {
    await this.ok("machine stop", stopArgv(this.bin, name));
  }

  /** Idempotent: a machine that is already gone is not an error. */
  async delete(name: string): Promise<void> {
    const res = await this.call(deleteArgv(this.bin, await this.version(), name));
    if (res.code === 0) return;
    if (classifySmolvmFailure(res.code, res.stderr).kind === "not-found") return;
    throw smolvmError("machine delete", res.code, res.stderr || res.stdout);
  }

  async list(): Promise<MachineInfo[]> {
    return parseMachineList((await this.ok("machine ls", lsArgv(this.bin))).stdout);
  }

  async state(name: string): Promise<MachineState | "missing"> {
    return (await this.list()).find((m) => m.name === name)?.state ?? "missing";
  }

  /** Captured exec: throws on a smolvm error or a non-zero guest exit. */
  async execOk(o: ExecOptions, values: EnvValues = {}): Promise<string> {
    return (await this.ok(`machine exec (${o.command[0]})`, execArgv(this.bin, o), {}, values)).stdout;
  }

  /** Exec with the caller's terminal; returns the guest's exit code. */
  async execAttached(o: ExecOptions, values: EnvValues = {}): Promise<number> {
    return (await this.call(execArgv(this.bin, o), { inherit: true }, values)).code;
  }

  /** Non-interactive exec shown live and appended to `teeFile`; returns the guest's exit code. */
  async execStreamed(o: ExecOptions, values: EnvValues = {}, teeFile?: string): Promise<number> {
    const env = this.env || Object.keys(values).length ? { ...this.env, ...values } : undefined;
    return (await this.stream(execArgv(this.bin, o), { env, teeFile })).code;
  }

  /** Exec with stdout into a host file; returns the guest's exit code and smolvm's stderr. */
  async execToFile(o: ExecOptions, values: EnvValues, out: string, signal?: AbortSignal): Promise<{ code: number; stderr: string }> {
    const r = await this.call(execArgv(this.bin, o), { stdoutFile: out, signal }, values);
    return { code: r.code, stderr: r.stderr };
  }

  async copyIn(name: string, src: string, dst: string): Promise<void> {
    await this.ok("machine cp", cpArgv(this.bin, name, src, dst));
  }

  /** Packing boots a helper VM and exports layers: give it time. */
  async packCreate(image: string, out: string, timeoutMs = 30 * 60_000): Promise<void> {
    await this.ok("pack create", packCreateArgv(this.bin, image, out), { timeoutMs });
  }
}

/** run() could not start the executable at all. */
export function isMissingBinary(e: unknown): boolean {
  return e instanceof BottleError && e.code === "INTERNAL" && /^cannot start /.test(e.message);
}
