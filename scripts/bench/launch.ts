#!/usr/bin/env bun
// Launch overhead: a warm `bot-bottle run <shell bottle> -- true` (two
// networks, bundle + agent containers, CA, provisioning, teardown) against two
// bare `docker run --rm <same image> true` starts (a bottle is two containers).
//
//   bun scripts/bench/launch.ts [--runs N] [--cli "CMD"]…
//
// --cli defaults to `bun src/main.ts`; pass a compiled binary to time a release.
// Repeat --cli to compare builds (before/after) side by side: each round runs
// every CLI once, then the baseline, so all see the same machine load.
// The bottle's background teardown is waited for before each baseline run, so
// it never slows the baseline; the median of each --debug phase follows.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Docker } from "../../src/backends/shared/docker.ts";
import { agentRecipe, ensureImage } from "../../src/images/build.ts";
import { loadConfig } from "../../src/config/config.ts";
import { stateKey } from "../../src/backends/shared/bundle-sidecar.ts";

const ROOT = join(import.meta.dir, "../..");
const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, cli: { type: "string", multiple: true } } });
const RUNS = Math.max(1, Math.min(50, Number(values.runs) || 5));
const CLIS = values.cli?.length ? values.cli.map((c) => c.split(" ")) : [[process.execPath, join(ROOT, "src/main.ts")]];

const tmp = mkdtempSync(join(tmpdir(), "bb-bench-"));
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  XDG_STATE_HOME: join(tmp, "state"),
  XDG_CONFIG_HOME: join(tmp, "config"),
  CI: "true",
};
if (!env.BOT_BOTTLE_BUILD_CA && existsSync("/etc/ssl/certs/ca-certificates.crt")) env.BOT_BOTTLE_BUILD_CA = "/etc/ssl/certs/ca-certificates.crt";
mkdirSync(join(tmp, "agents"), { recursive: true });
writeFileSync(join(tmp, "agents/sh.md"), '+++\nprovider = "shell"\n+++\n');
writeFileSync(join(tmp, "bot-bottle.toml"), 'version = 1\n[bottles.bench]\nagent = "sh"\n');

/** Phase timings each CLI printed with --debug (`phase NAME  123 ms`), collected per name. */
let phases = new Map<string, number[]>();

function timed(argv: string[]): number {
  const t = performance.now();
  const r = Bun.spawnSync(argv, { cwd: tmp, env, stdout: "pipe", stderr: "pipe" });
  const ms = performance.now() - t;
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (exit ${r.exitCode}):\n${r.stderr.toString().slice(-2000)}`);
  const add = (name: string, v: number) => phases.set(name, [...(phases.get(name) ?? []), v]);
  for (const m of (r.stdout.toString() + r.stderr.toString()).matchAll(/phase (\S+(?: \S+)?)\s+(\d+) ms\s+\(t\+(\d+) ms\)/g)) {
    const name = m[1]!.trim();
    // The process's own start (runtime, module loading, manifest) until the plan is made.
    if (name === "plan") add("cli start", Number(m[3]) - Number(m[2]));
    add(name, Number(m[2]));
  }
  return ms;
}

/** `run` leaves its containers to a background removal: let it finish so it does not slow the baseline. */
async function settled(): Promise<void> {
  const key = stateKey(env);
  for (let i = 0; i < 120; i++) {
    const r = Bun.spawnSync(["docker", "ps", "-aq", "--filter", `label=bot-bottle.state=${key}`], { stdout: "pipe" });
    const n = Bun.spawnSync(["docker", "network", "ls", "-q", "--filter", `label=bot-bottle.state=${key}`], { stdout: "pipe" });
    if (!r.stdout.toString().trim() && !n.stdout.toString().trim()) return;
    await Bun.sleep(250);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

try {
  const bottles = CLIS.map((cli) => [...cli, "--debug", "run", "bench", "--yes", "--", "true"]);
  for (const bottle of bottles) {
    console.log(`warming up (builds images on first use): ${bottle.join(" ")}`);
    timed(bottle);
    await settled();
  }
  const image = await ensureImage(new Docker(), agentRecipe("shell", loadConfig(env).baseImage, loadConfig(env)), env);

  const bottleMs: number[][] = bottles.map(() => []);
  const phasesOf = bottles.map(() => new Map<string, number[]>());
  const bareMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const [k, bottle] of bottles.entries()) {
      phases = phasesOf[k]!;
      bottleMs[k]!.push(timed(bottle));
      await settled();
    }
    bareMs.push(timed(["docker", "run", "--rm", image, "true"]) + timed(["docker", "run", "--rm", image, "true"]));
  }
  const d = median(bareMs);
  console.log(`runs: ${RUNS}; image ${image}`);
  console.log(`2 × docker run --rm IMG true   median ${fmt(d)}  (${bareMs.map(fmt).join(", ")})`);
  for (const [k, bottle] of bottles.entries()) {
    const b = median(bottleMs[k]!);
    if (bottles.length > 1) console.log(`\n${CLIS[k]!.join(" ")}`);
    console.log(`bot-bottle run -- true         median ${fmt(b)}  (${bottleMs[k]!.map(fmt).join(", ")})`);
    console.log(`ratio                          ${(b / d).toFixed(2)}×  (target ≤ 1.30×)`);
    console.log("phases of the bottle (median ms; --debug; nested phases overlap):");
    for (const [name, xs] of phasesOf[k]!) console.log(`  ${name.padEnd(14)} ${String(Math.round(median(xs))).padStart(6)}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
