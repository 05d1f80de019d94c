// Pure: argv for every smolvm command bot-bottle uses, matching the clap
// definitions of smolvm 0.8.2 (src/cli/machine.rs, src/cli/pack.rs).
// The one dialect difference that matters: `machine create` and
// `machine delete` take a positional NAME up to 1.0.x and `-n/--name` from
// 1.1 on; start/stop/status/exec take `--name` in every version.
import { BottleError } from "../../util/errors.ts";

export interface SmolvmVersion {
  major: number;
  minor: number;
  patch: number;
  raw: string;
}

/** Oldest smolvm we drive; older releases lack `create --from` and `machine cp`. */
export const MIN_SMOLVM: readonly [number, number] = [0, 8];

/** `smolvm 0.8.2` (clap's `--version`) → {0,8,2}; null when unrecognisable. */
export function parseSmolvmVersion(stdout: string): SmolvmVersion | null {
  const m = /^smolvm\s+v?(\d+)\.(\d+)\.(\d+)\S*\s*$/m.exec(stdout.trim());
  if (!m) return null;
  return { major: +m[1]!, minor: +m[2]!, patch: +m[3]!, raw: `${m[1]}.${m[2]}.${m[3]}` };
}

export function versionAtLeast(v: SmolvmVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

export function isSupportedVersion(v: SmolvmVersion): boolean {
  return versionAtLeast(v, MIN_SMOLVM[0], MIN_SMOLVM[1]);
}

/** create/delete name the machine with -n/--name from 1.1 on. */
export function usesNameFlag(v: SmolvmVersion): boolean {
  return versionAtLeast(v, 1, 1);
}

/**
 * `create --from` drops --allow-cidr before 1.8.0 (run_from_smolmachine sets
 * allowed_cidrs: None), leaving a --net guest unfiltered: see the driver.
 */
export function fromHonoursAllowCidr(v: SmolvmVersion): boolean {
  return versionAtLeast(v, 1, 8);
}

/** smolvm's validate_vm_name: ASCII alnum start, [A-Za-z0-9_-], no trailing or doubled '-', ≤128. */
export function machineNameProblem(name: string): string | null {
  if (name.length === 0) return "machine name cannot be empty";
  if (name.length > 128) return `machine name too long: ${name.length} characters (max 128)`;
  if (!/^[A-Za-z0-9]/.test(name)) return "machine name must start with a letter or digit";
  if (name.endsWith("-")) return "machine name cannot end with a hyphen";
  if (name.includes("--")) return "machine name cannot contain consecutive hyphens";
  const bad = /[^A-Za-z0-9_-]/.exec(name);
  if (bad) return `machine name contains invalid character: '${bad[0]}'`;
  return null;
}

export function checkMachineName(name: string): string {
  const problem = machineNameProblem(name);
  if (problem) {
    throw new BottleError("SMOLVM", `invalid smolvm machine name "${name}": ${problem}`, {
      hint: "use letters, digits, '_' and single '-', starting with a letter or digit",
    });
  }
  return name;
}

export interface CreateOptions {
  name: string;
  /** Packed artifact (`<out>.smolmachine`). Exclusive with image. */
  from?: string;
  /** OCI image pulled by the guest. Exclusive with from. */
  image?: string;
  /** Give the guest a network at all (TSI). */
  net?: boolean;
  allowCidr?: string[];
  env?: Record<string, string>;
  /** Names whose values smolvm takes from its own environment. */
  passEnv?: string[];
  cpus?: number;
  memMiB?: number;
  /** `HOST:GUEST[:ro]`. */
  volumes?: string[];
  workdir?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const checkEnvName = (k: string) => {
  if (!ENV_NAME.test(k)) throw new BottleError("INTERNAL", `invalid env name for smolvm: ${k}`);
  return k;
};

/**
 * `-e K=V` for plain values; `-e K` for secrets: smolvm (like docker) then
 * forwards its own environment's value, so secrets stay out of argv, which
 * any local user can read in /proc.
 */
const envFlags = (env: Record<string, string> = {}, passEnv: string[] = []): string[] => [
  ...Object.entries(env).flatMap(([k, v]) => ["-e", `${checkEnvName(k)}=${v}`]),
  ...passEnv.flatMap((k) => ["-e", checkEnvName(k)]),
];

const nameArgs = (v: SmolvmVersion, name: string): string[] => (usesNameFlag(v) ? ["--name", name] : [name]);

export function createArgv(bin: string, v: SmolvmVersion, o: CreateOptions): string[] {
  checkMachineName(o.name);
  if (o.from && o.image) throw new BottleError("INTERNAL", "smolvm machine create: --from and --image are exclusive");
  const argv = [bin, "machine", "create", ...nameArgs(v, o.name)];
  if (o.from) argv.push("--from", o.from);
  if (o.image) argv.push("-I", o.image);
  if (o.net) argv.push("--net");
  for (const c of o.allowCidr ?? []) argv.push("--allow-cidr", c);
  argv.push(...envFlags(o.env, o.passEnv));
  // smolvm's --cpus is a whole u8; a fractional manifest value rounds up.
  if (o.cpus !== undefined) argv.push("--cpus", String(Math.min(255, Math.max(1, Math.ceil(o.cpus)))));
  if (o.memMiB !== undefined) argv.push("--mem", String(o.memMiB));
  for (const vol of o.volumes ?? []) argv.push("-v", vol);
  if (o.workdir) argv.push("-w", o.workdir);
  return argv;
}

export const startArgv = (bin: string, name: string) => [bin, "machine", "start", "--name", checkMachineName(name)];
export const stopArgv = (bin: string, name: string) => [bin, "machine", "stop", "--name", checkMachineName(name)];
export const statusArgv = (bin: string, name: string) => [bin, "machine", "status", "--name", checkMachineName(name)];
/** Always -f: without it smolvm prompts on stdin and, with none, prints "Cancelled" and exits 0. */
export const deleteArgv = (bin: string, v: SmolvmVersion, name: string) => [bin, "machine", "delete", ...nameArgs(v, checkMachineName(name)), "-f"];
export const lsArgv = (bin: string) => [bin, "machine", "ls", "--json"];
export const versionArgv = (bin: string) => [bin, "--version"];

export interface ExecOptions {
  name: string;
  command: string[];
  env?: Record<string, string>;
  passEnv?: string[];
  workdir?: string;
  interactive?: boolean;
  tty?: boolean;
}

export function execArgv(bin: string, o: ExecOptions): string[] {
  if (o.command.length === 0) throw new BottleError("INTERNAL", "smolvm machine exec needs a command");
  const argv = [bin, "machine", "exec", "--name", checkMachineName(o.name), ...envFlags(o.env, o.passEnv)];
  if (o.workdir) argv.push("-w", o.workdir);
  if (o.interactive) argv.push("-i");
  if (o.tty) argv.push("-t");
  return [...argv, "--", ...o.command];
}

/** Upload one file: `machine cp SRC NAME:DST` (cp splits on the first ':' — host paths must not contain one). */
export function cpArgv(bin: string, name: string, src: string, dst: string): string[] {
  if (src.includes(":")) throw new BottleError("SMOLVM", `cannot copy ${src}: smolvm cp treats ':' as machine:path`, { hint: "rename the file" });
  if (!dst.startsWith("/")) throw new BottleError("INTERNAL", `smolvm cp destination must be absolute: ${dst}`);
  return [bin, "machine", "cp", src, `${checkMachineName(name)}:${dst}`];
}

export const packCreateArgv = (bin: string, image: string, out: string) => [bin, "pack", "create", "--image", image, "-o", out];

/** pack create writes the launcher at OUT and the artifact `create --from` takes at OUT.smolmachine. */
export const packArtifactPath = (out: string) => `${out}.smolmachine`;

/** "4g" / "512m" / "1.5G" → MiB for --mem. */
export function memoryToMiB(mem: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmgKMG])$/.exec(mem);
  if (!m) throw new BottleError("USAGE", `invalid memory size "${mem}"`, { hint: 'use a size such as "4g" or "512m"' });
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  const mib = unit === "g" ? n * 1024 : unit === "m" ? n : n / 1024;
  return Math.max(1, Math.ceil(mib));
}
