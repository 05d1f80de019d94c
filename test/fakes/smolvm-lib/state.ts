// The fake smolvm's persistent state: machine records in
// $FAKE_SMOLVM_STATE/machines.json (guarded by a mkdir lock so concurrent
// calls do not lose updates) and a JSON-lines log of every call.
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";

export interface MachineRecord {
  name: string;
  state: "created" | "running" | "stopped";
  cpus: number;
  mem: number;
  image: string | null;
  imageId: string | null;
  source_smolmachine: string | null;
  env: [string, string][];
  workdir: string | null;
  network: boolean;
  allowed_cidrs: string[] | null;
  mounts: string[];
  created_at: number;
  pid: number | null;
  /** Docker container standing in for the VM (FAKE_SMOLVM_DOCKER=1). */
  container: string | null;
}

export interface FakeState {
  machines: Record<string, MachineRecord>;
}

export function stateDir(): string {
  const d = process.env.FAKE_SMOLVM_STATE;
  if (!d) {
    process.stderr.write("fake smolvm: set FAKE_SMOLVM_STATE to a temp folder\n");
    process.exit(70);
  }
  mkdirSync(d, { recursive: true });
  return d;
}

export function recordCall(argv: string[]): void {
  const line = JSON.stringify({ at: Date.now(), argv, env: { ...process.env }, cwd: process.cwd() });
  appendFileSync(join(stateDir(), "calls.jsonl"), line + "\n");
}

function load(): FakeState {
  try {
    return JSON.parse(readFileSync(join(stateDir(), "machines.json"), "utf8"));
  } catch {
    return { machines: {} };
  }
}

function save(s: FakeState): void {
  const f = join(stateDir(), "machines.json");
  writeFileSync(f + ".tmp", JSON.stringify(s, null, 2));
  renameSync(f + ".tmp", f);
}

/** Read-modify-write under a mkdir lock (bounded: 20 s). */
export async function withState<T>(fn: (s: FakeState) => T | Promise<T>): Promise<T> {
  const lock = join(stateDir(), "lock.d");
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      await Bun.sleep(20);
    }
  }
  try {
    const s = load();
    const out = await fn(s);
    save(s);
    return out;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function readState(): FakeState {
  return load();
}
