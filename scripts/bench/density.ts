#!/usr/bin/env bun
// Density: N shell bottles alive at once on one host (default docker daemon).
// Each is made with `run --keep -- true` (timed: the launch, including the
// stop that --keep does) and started again with `resume --detach` at the next
// checkpoint (a few at a time, between launches), so all N run at the end. At checkpoints as N grows
// it prints launch p50/p95 of the bottles made since the last checkpoint,
// against two bare `docker run --rm` measured at the same moment (the
// engine's own slowdown as it fills up), the memory per bottle (anonymous
// memory of agent + bundle containers from their cgroups, and the bundle
// alone), and how long `ls` takes. Everything it made is removed at the end.
//
//   bun scripts/bench/density.ts [--bottles N] [--cli "CMD"]
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Docker } from "../../src/backends/shared/docker.ts";
import { stateKey } from "../../src/backends/shared/bundle-sidecar.ts";
import { agentRecipe, ensureImage } from "../../src/images/build.ts";
import { loadConfig } from "../../src/config/config.ts";
import { containerMemory, MiB } from "./lib/cgroup.ts";

const ROOT = join(import.meta.dir, "../..");
const { values } = parseArgs({ options: { bottles: { type: "string", default: "50" }, cli: { type: "string" } } });
const N = Math.max(1, Math.min(1000, Number(values.bottles) || 50));
const CLI = values.cli ? values.cli.split(" ") : [process.execPath, join(ROOT, "src/main.ts")];
const CHECKPOINTS = [...new Set([10, 25, 50, 100, 150, 200, 300, 500, 1000].filter((c) => c < N).concat(N))];

const tmp = mkdtempSync(join(tmpdir(), "bb-bench-density-"));
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  XDG_STATE_HOME: join(tmp, "state"),
  XDG_CONFIG_HOME: join(tmp, "config"),
  CI: "true",
  NO_COLOR: "1",
};
if (!env.BOT_BOTTLE_BUILD_CA && existsSync("/etc/ssl/certs/ca-certificates.crt")) env.BOT_BOTTLE_BUILD_CA = "/etc/ssl/certs/ca-certificates.crt";
mkdirSync(join(tmp, "agents"), { recursive: true });
writeFileSync(join(tmp, "agents/sh.md"), '+++\nprovider = "shell"\n+++\n');
writeFileSync(join(tmp, "bot-bottle.toml"), 'version = 1\n[bottles.d]\nagent = "sh"\ncopy_cwd = false\n');
const KEY = stateKey(env);

function sh(argv: string[]): { ms: number; out: string } {
  const t = performance.now();
  const r = Bun.spawnSync(argv, { cwd: tmp, env, stdout: "pipe", stderr: "pipe" });
  const ms = performance.now() - t;
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (exit ${r.exitCode}):\n${r.stderr.toString().slice(-2000)}`);
  return { ms, out: r.stdout.toString() };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const median = (xs: number[]) => pct(xs, 50);
const sec = (ms: number) => (ms / 1000).toFixed(2);

/** Anonymous MiB per bottle (agent + bundle) and of the bundle alone, over every running bottle. */
function memory(): { perBottle: number[]; bundle: number[] } {
  const r = Bun.spawnSync(["docker", "ps", "--no-trunc", "--filter", `label=bot-bottle.state=${KEY}`, "--format", '{{.ID}}\t{{.Label "bot-bottle.identity"}}\t{{.Label "bot-bottle.role"}}'], { stdout: "pipe" });
  const byBottle = new Map<string, { agent?: number; bundle?: number }>();
  for (const line of r.stdout.toString().split("\n").filter(Boolean)) {
    const [id, identity, role] = line.split("\t");
    const m = containerMemory(id!);
    if (!m) continue;
    const e = byBottle.get(identity!) ?? {};
    if (role === "agent") e.agent = m.anon / MiB;
    if (role === "bundle") e.bundle = m.anon / MiB;
    byBottle.set(identity!, e);
  }
  const whole = [...byBottle.values()].filter((e) => e.agent !== undefined && e.bundle !== undefined);
  return { perBottle: whole.map((e) => e.agent! + e.bundle!), bundle: whole.map((e) => e.bundle!) };
}

/** Run `f` over `items`, at most `n` at once. */
async function inParallel<T>(items: T[], n: number, f: (x: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(n, queue.length) }, async () => {
    for (let x = queue.shift(); x !== undefined; x = queue.shift()) await f(x);
  }));
}

async function spawnOk(argv: string[]): Promise<void> {
  const p = Bun.spawn(argv, { cwd: tmp, env, stdout: "ignore", stderr: "pipe" });
  const err = await new Response(p.stderr).text();
  if ((await p.exited) !== 0) throw new Error(`${argv.join(" ")} failed:\n${err.slice(-2000)}`);
}

const made: string[] = [];
const pending: string[] = [];
async function cleanup() {
  // rm takes many ids: a few calls, a few at a time, instead of one per bottle.
  const batches: string[][] = [];
  for (let i = 0; i < made.length; i += 25) batches.push(made.slice(i, i + 25));
  await inParallel(batches, 3, (b) => spawnOk([...CLI, "rm", "--force", ...b]).catch(() => undefined));
  rmSync(tmp, { recursive: true, force: true });
}
process.once("SIGINT", () => void cleanup().finally(() => process.exit(130)));

try {
  console.error(`warming up (builds images on first use)`);
  sh([...CLI, "run", "d", "--", "true"]);
  const image = await ensureImage(new Docker(), agentRecipe("shell", loadConfig(env).baseImage, loadConfig(env)), env);
  const bare = () => sh(["docker", "run", "--rm", image, "true"]).ms + sh(["docker", "run", "--rm", image, "true"]).ms;
  const bare0 = median([bare(), bare(), bare()]);
  console.log(`${N} bottles (run --keep, then resume --detach: all running at the end); 2 × bare docker run at start: ${sec(bare0)} s`);
  console.log("");
  console.log("bottles  launch p50   p95   bare 2×run  p50/bare | MiB/bottle p50  max | bundle p50 | ls s | elapsed");
  const t0 = performance.now();
  const tag = crypto.randomUUID().slice(0, 4);
  let window: number[] = [];
  let first: { n: number; p50: number; bare: number; ls: number } | undefined;
  let last: typeof first;
  for (let i = 1; i <= N; i++) {
    const id = `dens-${tag}-${i}`;
    window.push(sh([...CLI, "run", "d", "--keep", "--name", id, "--", "true"]).ms);
    made.push(id);
    pending.push(id);
    if (!CHECKPOINTS.includes(i)) continue;
    // Started again between launches, not during them: a few at a time, so the bench stays short.
    await inParallel(pending.splice(0), 4, (x) => spawnOk([...CLI, "resume", x, "--detach"]));
    const b = bare();
    const ls = median([0, 1, 2].map(() => sh([...CLI, "ls", "--json"]).ms));
    const live = (JSON.parse(sh([...CLI, "ls", "--json"]).out) as { live: string }[]).filter((x) => x.live === "running").length;
    if (live !== i) throw new Error(`expected ${i} running bottles, ls says ${live}`);
    const mem = memory();
    const p50 = median(window);
    last = { n: i, p50, bare: b, ls };
    first ??= last;
    const m = (xs: number[], f: (x: number[]) => number) => (xs.length ? f(xs).toFixed(1) : "-");
    console.log(
      `${String(i).padStart(7)}  ${sec(p50).padStart(10)} ${sec(pct(window, 95)).padStart(5)}  ${sec(b).padStart(10)}  ${(p50 / b).toFixed(2).padStart(7)}× |` +
        ` ${m(mem.perBottle, median).padStart(14)} ${m(mem.perBottle, (x) => Math.max(...x)).padStart(4)} | ${m(mem.bundle, median).padStart(10)} | ${sec(ls)} | ${Math.round((performance.now() - t0) / 1000)} s`,
    );
    window = [];
  }
  if (first && last && last !== first) {
    console.log(
      `\nfrom ${first.n} to ${last.n} bottles: launch p50 ×${(last.p50 / first.p50).toFixed(2)} (bare docker run ×${(last.bare / first.bare).toFixed(2)}), ls ×${(last.ls / first.ls).toFixed(2)}`,
    );
  }
} finally {
  const t = performance.now();
  await cleanup();
  console.log(`removed ${made.length} bottles in ${sec(performance.now() - t)} s`);
}
