// Test helpers around the fake smolvm and crane: an environment that puts
// them first on PATH with a fresh state folder, and readers for what they
// recorded.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export const FAKES_DIR = resolve(import.meta.dir, "..");

const made: string[] = [];

/** A temp folder removed by removeTempDirs() (call it from afterAll). */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface FakeEnv {
  env: Record<string, string>;
  stateDir: string;
}

export function fakeSmolvmEnv(extra: Record<string, string> = {}): FakeEnv {
  const stateDir = tempDir("fake-smolvm-");
  const bunDir = dirname(process.execPath);
  return {
    stateDir,
    env: {
      PATH: `${FAKES_DIR}:${bunDir}:${process.env.PATH ?? ""}`,
      FAKE_BUN: process.execPath,
      FAKE_SMOLVM_STATE: stateDir,
      ...extra,
    },
  };
}

export interface RecordedCall {
  at: number;
  argv: string[];
  env: Record<string, string>;
}

function readJsonl<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

export const smolvmCalls = (stateDir: string) => readJsonl<RecordedCall>(join(stateDir, "calls.jsonl"));
export const craneCalls = (stateDir: string) => readJsonl<{ argv: string[] }>(join(stateDir, "crane-calls.jsonl"));

/** "machine create", "pack create", "--version", … */
export const verbOf = (argv: string[]) => (argv[0]?.startsWith("-") ? argv[0] : argv.slice(0, 2).join(" "));

export function machinesJson(stateDir: string): Record<string, any> {
  const f = join(stateDir, "machines.json");
  return existsSync(f) ? JSON.parse(readFileSync(f, "utf8")).machines : {};
}
