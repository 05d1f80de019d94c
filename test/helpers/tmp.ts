// Each test gets its own XDG state and config, so it never sees the
// operator's bottles and parallel runs never share a state database. The
// cache (compiled bundle binary, build scratch) is shared on purpose: it only
// holds build products keyed by their inputs, and rebuilding them per test
// would cost minutes in CI.
import { afterAll } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface TempHome {
  dir: string;
  /** XDG_* (and HOME) pointing into `dir`; overlay on process.env for child CLIs. */
  env: Record<string, string>;
  /** Write a file relative to `dir`; returns its absolute path. */
  write(rel: string, content: string): string;
  cleanup(): void;
}

export function tempHome(prefix = "bb-test-"): TempHome {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const env = {
    XDG_STATE_HOME: join(dir, "state"),
    XDG_CONFIG_HOME: join(dir, "config"),
    XDG_CACHE_HOME: sharedCacheHome(),
  };
  for (const d of Object.values(env)) mkdirSync(d, { recursive: true });
  return {
    dir,
    env,
    write(rel, content) {
      const path = join(dir, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** XDG_CACHE_HOME for every test: the operator's own, else one under the temp dir. */
export function sharedCacheHome(): string {
  return process.env.XDG_CACHE_HOME || join(tmpdir(), "bot-bottle-test-cache");
}

/** A short random suffix for names of containers/networks/images a test makes. */
export function testId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 8);
}

/**
 * The environment for a CLI under test that runs bottles: process.env with
 * HOME and XDG dirs under `dir`, CI=true (never prompt), and the host CA bundle
 * for image builds (CI sets the same, so image tags match and build once).
 */
export function cliEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    HOME: dir,
    XDG_STATE_HOME: join(dir, "state"),
    XDG_CACHE_HOME: join(dir, "cache"),
    XDG_CONFIG_HOME: join(dir, "config"),
    CI: "true",
    ...extra,
  };
  if (!env.BOT_BOTTLE_BUILD_CA && existsSync(HOST_CA)) env.BOT_BOTTLE_BUILD_CA = HOST_CA;
  return env;
}

const HOST_CA = "/etc/ssl/certs/ca-certificates.crt";

/** Call at the top level of a test file; returns a maker of fresh directories, removed when the file ends. */
export function tempDirs(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    made.push(d);
    return d;
  };
}
