// Fake smolvm speaking the 0.8.x CLI (and the 1.1+ `-n/--name` dialect when
// FAKE_SMOLVM_VERSION says so). Output strings, `Error: …` + exit 1 and clap's
// exit 2 follow smolvm's source (src/cli/machine.rs, vm_common.rs, pack.rs).
//
// Knobs (env):
//   FAKE_SMOLVM_STATE    folder for machines.json and calls.jsonl (required)
//   FAKE_SMOLVM_VERSION  default 0.8.2
//   FAKE_SMOLVM_DOCKER=1 machines are docker containers (see standin.ts)
//   FAKE_SMOLVM_NO_KVM=1 start fails like a host without /dev/kvm
//   FAKE_SMOLVM_PACK_FAIL=1  pack create writes half an artifact, then fails
//   FAKE_SMOLVM_PACK_DELAY_MS  pack create takes this long (concurrency tests)
//   FAKE_SMOLVM_EXEC_EXIT  exit code of exec without docker (default 0)
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { flag, list, parse, str, UsageError } from "./clap.ts";
import { fail, notFound, parseEnv, SmolvmError } from "./errors.ts";
import { packCreate } from "./pack.ts";
import { atLeast, CP, CREATE, DELETE, EXEC, LS, NAME_FLAG, nameOnly, VERSION } from "./specs.ts";
import { readState, recordCall, stateDir, withState, type MachineRecord } from "./state.ts";
import * as standin from "./standin.ts";

function validateName(name: string): void {
  const label = "machine name";
  if (!name) fail(`config operation failed: create machine: ${label} cannot be empty`);
  if (name.length > 128) fail(`config operation failed: create machine: ${label} too long: ${name.length} characters (max 128)`);
  if (!/^[A-Za-z0-9]/.test(name)) fail(`config operation failed: create machine: ${label} must start with a letter or digit (got: "${name}")`);
  if (name.endsWith("-")) fail(`config operation failed: create machine: ${label} cannot end with a hyphen (got: "${name}")`);
  if (name.includes("--")) fail(`config operation failed: create machine: ${label} cannot contain consecutive hyphens`);
  const bad = /[^A-Za-z0-9_-]/.exec(name);
  if (bad) fail(`config operation failed: create machine: ${bad[0] === "/" || bad[0] === "\\" ? `${label} cannot contain path separators` : `${label} contains invalid character: '${bad[0]}'`}`);
}

/** smolvm's parse_env_spec: `K=V`, or `K` alone forwards this process's value (skipped when unset). */
function newRecord(name: string, over: Partial<MachineRecord>): MachineRecord {
  return { name, state: "created", cpus: 4, mem: 8192, image: null, imageId: null, source_smolmachine: null, env: [], workdir: null, network: false, allowed_cidrs: null, mounts: [], created_at: Math.floor(Date.now() / 1000), pid: null, container: null, ...over };
}

async function create(args: string[]): Promise<void> {
  const p = parse(args, CREATE);
  const name = (NAME_FLAG ? str(p, "name") : p.positionals[0]) ?? `vm-${Math.random().toString(36).slice(2, 10)}`;
  const cpus = Number(str(p, "cpus") ?? 4);
  const mem = Number(str(p, "mem") ?? 8192);
  const env = list(p, "env");
  const cidrs = list(p, "allow-cidr");
  let rec: MachineRecord;
  const from = str(p, "from");
  if (from) {
    if (!existsSync(from)) fail(`config operation failed: create from .smolmachine: file not found: ${from}`);
    let manifest: any;
    try {
      manifest = JSON.parse(readFileSync(from, "utf8"));
      if (manifest.format !== "fake-smolmachine/1") throw new Error("bad magic");
    } catch {
      fail(`agent operation failed: read .smolmachine: invalid sidecar footer`);
    }
    console.log("Extracting .smolmachine assets...");
    // run_from_smolmachine before 1.8 drops --allow-cidr and ignores -w (manifest workdir wins).
    rec = newRecord(name, {
      cpus: str(p, "cpus") ? cpus : manifest.cpus,
      mem: str(p, "mem") ? mem : manifest.mem,
      image: manifest.image,
      imageId: manifest.imageId,
      source_smolmachine: resolve(from),
      env: parseEnv(env),
      workdir: manifest.workdir ?? null,
      network: flag(p, "net"),
      allowed_cidrs: atLeast(1, 8) && cidrs.length ? cidrs : null,
      mounts: list(p, "volume"),
    });
  } else {
    rec = newRecord(name, {
      cpus,
      mem,
      image: str(p, "image") ?? null,
      env: parseEnv(env),
      workdir: str(p, "workdir") ?? null,
      network: flag(p, "net") || cidrs.length > 0,
      allowed_cidrs: cidrs.length ? cidrs : null,
      mounts: list(p, "volume"),
    });
  }
  validateName(name);
  if (rec.cpus === 0 || rec.mem === 0) fail("config operation failed: create machine: cpus and memory must be greater than zero");
  await withState((s) => {
    if (s.machines[name]) fail(`config operation failed: create machine: machine '${name}' already exists`);
    s.machines[name] = rec;
  });
  console.log(`Created machine: ${name}`);
  console.log(`  CPUs: ${rec.cpus}, Memory: ${rec.mem} MiB`);
  if (rec.mounts.length) console.log(`  Mounts: ${rec.mounts.length}`);
  console.log(`\nUse 'smolvm machine start --name ${name}' to start the machine`);
  console.log(`Then use 'smolvm machine exec --name ${name} -- <command>' to run commands`);
}

async function start(args: string[]): Promise<void> {
  const name = str(parse(args, nameOnly("start")), "name") ?? "default";
  const rec = readState().machines[name] ?? notFound(name);
  if (rec.state === "running") {
    console.log(`Machine '${name}' already running (PID: ${rec.pid})`);
    return;
  }
  if (process.env.FAKE_SMOLVM_NO_KVM === "1") {
    fail("agent operation failed: start machine: kvm not available: KVM not available. Ensure KVM kernel module is loaded.\nTry: sudo modprobe kvm && sudo modprobe kvm_intel  # (or kvm_amd)");
  }
  process.stderr.write(`Starting machine '${name}'...\n`);
  if (standin.enabled()) {
    const err = standin.startStandin(stateDir(), rec);
    if (err) fail(`agent operation failed: start machine: ${err}`);
  }
  const pid = 10_000 + Math.floor(Math.random() * 50_000);
  await withState((s) => {
    const r = s.machines[name] ?? notFound(name);
    r.state = "running";
    r.pid = pid;
    r.container = standin.enabled() ? standin.containerName(stateDir(), name) : null;
  });
  console.log(`Machine '${name}' running (PID: ${pid})`);
}

async function stop(args: string[]): Promise<void> {
  const name = str(parse(args, nameOnly("stop")), "name") ?? "default";
  const rec = readState().machines[name] ?? notFound(name);
  if (rec.state !== "running") {
    console.log(`Machine '${name}' is not running (state: ${rec.state})`);
    return;
  }
  console.log(`Stopping machine '${name}'...`);
  if (standin.enabled()) standin.stopStandin(stateDir(), name);
  await withState((s) => {
    const r = s.machines[name];
    if (r) Object.assign(r, { state: "stopped", pid: null });
  });
  console.log(`Stopped machine: ${name}`);
}

async function del(args: string[]): Promise<void> {
  const p = parse(args, DELETE);
  const name = (NAME_FLAG ? str(p, "name") : p.positionals[0])!;
  const rec = readState().machines[name] ?? notFound(name);
  if (rec.state === "running") {
    console.log(`Stopping machine '${name}'...`);
    if (standin.enabled()) standin.stopStandin(stateDir(), name);
    // Real smolvm stops a running machine before it asks, so "Cancelled" leaves it stopped.
    await withState((s) => {
      const r = s.machines[name];
      if (r) Object.assign(r, { state: "stopped", pid: null });
    });
  }
  if (!flag(p, "force")) {
    process.stderr.write(`Delete machine '${name}'? [y/N] `);
    const answer = (await readLine()).trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") {
      console.log("Cancelled");
      return;
    }
  }
  if (standin.enabled()) standin.removeStandin(stateDir(), name);
  await withState((s) => {
    delete s.machines[name];
  });
  console.log(`Deleted machine: ${name}`);
}

async function readLine(): Promise<string> {
  for await (const line of console) return line;
  return "";
}

function status(args: string[]): void {
  const p = parse(args, nameOnly("status"));
  const name = str(p, "name") ?? "default";
  const rec = readState().machines[name];
  if (flag(p, "json")) {
    if (!rec) fail(`config operation failed: machine status: machine '${name}' not found`);
    console.log(JSON.stringify(statusJson(rec!), null, 2));
    return;
  }
  if (!rec) notFound(name);
  console.log(rec!.state === "running" ? `Machine '${name}': running (PID: ${rec!.pid})` : `Machine '${name}': not running`);
}

function statusJson(r: MachineRecord) {
  return {
    name: r.name, state: r.state, cpus: r.cpus, memory_mib: r.mem, pid: r.pid, mounts: r.mounts.length, ports: 0,
    created_at: r.created_at, storage_gb: null, overlay_gb: null, image: r.image, entrypoint: [], cmd: [], ephemeral: false,
    gpu: false, gpu_vram_mib: null, restart_policy: "never", restart_max_retries: 0, restart_count: 0, health_cmd: null,
    health_interval_secs: null, health_timeout_secs: null, health_retries: null, health_startup_grace_secs: null, network: r.network,
  };
}

function ls(args: string[]): void {
  const p = parse(args, LS);
  const ms = Object.values(readState().machines);
  if (flag(p, "json")) {
    console.log(ms.length ? JSON.stringify(ms.map(statusJson), null, 2) : "[]");
    return;
  }
  if (!ms.length) {
    console.log("No machines found");
    return;
  }
  console.log(`${"NAME".padEnd(20)} ${"STATE".padEnd(12)} ${"CPUS".padStart(5)} ${"MEMORY".padStart(10)}`);
  console.log("-".repeat(88));
  for (const m of ms) console.log(`${m.name.padEnd(20)} ${m.state.padEnd(12)} ${String(m.cpus).padStart(5)} ${`${m.mem} MiB`.padStart(10)}`);
}

function running(name: string): MachineRecord {
  const rec = readState().machines[name] ?? notFound(name);
  if (rec.state !== "running") fail(`agent operation failed: connect: machine '${name}' is not running. Use 'smolvm machine start --name ${name}' first.`);
  return rec;
}

function exec(args: string[]): number {
  const p = parse(args, EXEC);
  const name = str(p, "name") ?? "default";
  const rec = running(name);
  const workdir = str(p, "workdir") ?? rec.workdir ?? undefined;
  if (!standin.enabled()) return Number(process.env.FAKE_SMOLVM_EXEC_EXIT ?? 0);
  // As ExecCmd in 0.8.2 does (merge_env_overrides): the machine's create-time env, then this call's -e on top.
  const merged = new Map(rec.env);
  for (const [k, v] of parseEnv(list(p, "env"))) merged.set(k, v);
  const env = [...merged].map(([k, v]) => `${k}=${v}`);
  return standin.execStandin(stateDir(), name, { env, workdir, interactive: flag(p, "interactive"), tty: flag(p, "tty"), command: p.trailing });
}

function cp(args: string[]): void {
  const p = parse(args, CP);
  const [src, dst] = p.positionals as [string, string];
  const up = dst.includes(":") && !src.includes(":");
  if (!src.includes(":") && !dst.includes(":")) fail("config operation failed: cp: one of SRC or DST must use machine:path syntax (e.g., myvm:/workspace/file)");
  if (!up) fail("config operation failed: cp: the fake smolvm copies host → machine only");
  const i = dst.indexOf(":");
  const name = dst.slice(0, i);
  const guest = dst.slice(i + 1);
  running(name);
  if (!existsSync(src)) fail(`agent operation failed: read local file: ${src}: No such file or directory (os error 2)`);
  const size = Bun.file(src).size;
  if (standin.enabled()) {
    const err = standin.cpIntoStandin(stateDir(), name, src, guest);
    if (err) fail(`agent operation failed: write file: ${err}`);
  }
  process.stderr.write(`Uploading ${src} -> ${guest} ${size} bytes\n`);
}

const TOP_USAGE = "smolvm <COMMAND>";

async function main(argv: string[]): Promise<number> {
  recordCall(argv);
  if (argv[0] === "--version" || argv[0] === "-V") {
    console.log(`smolvm ${VERSION}`);
    return 0;
  }
  const [group, sub, ...rest] = argv;
  const machine: Record<string, (a: string[]) => Promise<unknown> | unknown> = { create, start, stop, delete: del, rm: del, status, ls, list: ls, exec, cp };
  if ((group === "machine" || group === "vm") && sub && machine[sub]) {
    const r = await machine[sub]!(rest);
    return typeof r === "number" ? r : 0;
  }
  if (group === "pack" && sub === "create") {
    await packCreate(rest);
    return 0;
  }
  throw new UsageError(`error: unrecognized subcommand '${[group, sub].filter(Boolean).join(" ")}'\n\nUsage: ${TOP_USAGE}\n\nFor more information, try '--help'.\n`);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(e.message);
    process.exitCode = 2;
  } else if (e instanceof SmolvmError) {
    process.stderr.write(`Error: ${e.message}\n`);
    process.exitCode = 1;
  } else throw e;
}
