// A bottle made through the real CLI for e2e and escape tests: a project
// folder with a manifest and agents, its own state dirs, a known identity (so
// container names are known), and cleanup that removes only what it made.
import { join } from "node:path";
import { run, type RunResult } from "../../src/util/run.ts";
import { cli } from "./cli.ts";
import { buildCaFile } from "./images.ts";
import { tempHome, testId, type TempHome } from "./tmp.ts";
import { docker } from "./docker.ts";
import { writeProject } from "./manifest.ts";

export interface TestBottleOptions {
  /** Manifest TOML. */
  manifest: string;
  /** agents/<name>.md contents. */
  agents?: Record<string, string>;
  /** Extra project files (copied into the bottle with copy_cwd). */
  files?: Record<string, string>;
  /** Host env for the CLI (e.g. the real credential a manifest names as ${VAR}). */
  env?: Record<string, string>;
  prefix?: string;
}

export interface TestBottle {
  id: string;
  home: TempHome;
  project: string;
  containers: { agent: string; bundle: string };
  /** The CLI's env (state dirs, build CA, the test's host variables). */
  env: Record<string, string>;
  /** Run the CLI in the project folder with the test's env. */
  cli(args: string[], timeoutMs?: number): Promise<RunResult>;
  cleanup(): Promise<void>;
}

export function testBottle(o: TestBottleOptions): TestBottle {
  const home = tempHome(`bb-${o.prefix ?? "e2e"}-`);
  const id = `${o.prefix ?? "e2e"}-${testId()}`;
  const project = join(home.dir, "project");
  writeProject(project, { manifest: o.manifest, agents: o.agents, files: o.files });
  const ca = buildCaFile();
  const env = { ...home.env, ...(ca ? { BOT_BOTTLE_BUILD_CA: ca } : {}), ...o.env };
  const containers = { agent: `bot-bottle-${id}-agent`, bundle: `bot-bottle-${id}-bundle` };
  return {
    id,
    home,
    project,
    containers,
    env,
    cli: (args, timeoutMs) => cli(args, { cwd: project, env, timeoutMs }),
    async cleanup() {
      await cli(["rm", "--force", id], { cwd: project, env, timeoutMs: 60_000 }).catch(() => undefined);
      // Whatever `rm` missed (a failed start): only resources labelled with this identity.
      const filter = ["--filter", `label=bot-bottle.identity=${id}`];
      const names = (await docker(["ps", "-aq", ...filter]).catch(() => "")).split("\n").filter(Boolean);
      if (names.length) await run(["docker", "rm", "-f", "-v", ...names]);
      const nets = (await docker(["network", "ls", "-q", ...filter]).catch(() => "")).split("\n").filter(Boolean);
      if (nets.length) await run(["docker", "network", "rm", ...nets]);
      home.cleanup();
    },
  };
}

/** `docker inspect` a container's env as a map. */
export async function containerEnv(container: string): Promise<Record<string, string>> {
  const env = JSON.parse(await docker(["inspect", "--format", "{{json .Config.Env}}", container])) as string[];
  return Object.fromEntries(env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
}
