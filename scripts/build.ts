#!/usr/bin/env bun
// Single-file binaries with `bun build --compile`.
//   bun scripts/build.ts            dist/bot-bottle for this machine (on macOS also the
//                                   Linux sibling the docker backend runs in the bundle)
//   bun scripts/build.ts --all      every release target + dist/SHA256SUMS
//   bun scripts/build.ts --measure  also time `--help` of the host binary
// Cross targets: Bun fetches the matching runtime from the npm registry once and caches it.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";

export type Os = "linux" | "darwin";
export type Arch = "x64" | "arm64";
export interface Target {
  os: Os;
  arch: Arch;
}

export const TARGETS: readonly Target[] = [
  { os: "linux", arch: "x64" },
  { os: "linux", arch: "arm64" },
  { os: "darwin", arch: "x64" },
  { os: "darwin", arch: "arm64" },
];

export const BINARY = "bot-bottle";

/** Release asset name: bot-bottle-<os>-<arch>. */
export function assetName(t: Target): string {
  return `${BINARY}-${t.os}-${t.arch}`;
}

/** The release target this machine runs, from Node-style platform/arch names. */
export function hostTarget(platform: string = process.platform, arch: string = process.arch): Target {
  const os = platform === "linux" ? "linux" : platform === "darwin" ? "darwin" : undefined;
  const a = arch === "x64" ? "x64" : arch === "arm64" ? "arm64" : undefined;
  if (!os || !a) throw new Error(`no release target for ${platform}-${arch}; supported: ${TARGETS.map(assetName).join(", ")}`);
  return { os, arch: a };
}

/**
 * Bun's runtime for a target. x64 names the baseline build explicitly: older
 * Bun releases made their default x64 runtime for AVX2 (Haswell+) CPUs, which dies
 * with "Illegal instruction" on older CPUs, conservative VM CPU models and x86
 * emulators. In Bun 1.4.5 both names fetch the same bytes; this keeps it so.
 */
export function bunTarget(t: Target): string {
  return `bun-${t.os}-${t.arch}${t.arch === "x64" ? "-baseline" : ""}`;
}

export interface BuildOptions {
  all: boolean;
  outdir: string;
  commit?: string;
  measure: boolean;
  /** Precompiled bytecode roughly halves startup; off only to debug the bundle. */
  bytecode: boolean;
  help: boolean;
}

export function parseBuildArgs(argv: string[]): BuildOptions {
  const o: BuildOptions = { all: false, outdir: "dist", measure: false, bytecode: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--all") o.all = true;
    else if (a === "--measure") o.measure = true;
    else if (a === "--no-bytecode") o.bytecode = false;
    else if (a === "--outdir") o.outdir = value();
    else if (a === "--commit") o.commit = value();
    else if (a === "-h" || a === "--help") o.help = true;
    else throw new Error(`unknown option ${a} (see --help)`);
  }
  return o;
}

export interface PlannedBinary {
  /** undefined: compile for the running Bun itself. */
  target?: Target;
  file: string;
}

/**
 * What to compile. A host build names its binary plainly; on macOS it also
 * builds the Linux binary for the machine's arch, because the bundle daemons
 * run in a Linux container and the docker backend looks for that sibling.
 */
export function plannedBinaries(opts: Pick<BuildOptions, "all" | "outdir">, host: Target): PlannedBinary[] {
  if (opts.all) return TARGETS.map((t) => ({ target: t, file: join(opts.outdir, assetName(t)) }));
  const out: PlannedBinary[] = [{ file: join(opts.outdir, BINARY) }];
  if (host.os === "darwin") {
    const sibling: Target = { os: "linux", arch: host.arch };
    out.push({ target: sibling, file: join(opts.outdir, assetName(sibling)) });
  }
  return out;
}

export interface CompileSpec {
  bun: string;
  entry: string;
  outfile: string;
  target?: Target;
  commit: string;
  bytecode: boolean;
}

export function compileArgv(s: CompileSpec): string[] {
  return [
    s.bun,
    "build",
    "--compile",
    "--minify",
    // Bytecode needs an explicit module format; ESM keeps main.ts's top-level await.
    ...(s.bytecode ? ["--bytecode", "--format=esm"] : []),
    ...(s.target ? [`--target=${bunTarget(s.target)}`] : []),
    "--define",
    `BOT_BOTTLE_COMMIT=${JSON.stringify(s.commit)}`,
    s.entry,
    "--outfile",
    s.outfile,
  ];
}

/** `sha256sum` output format, sorted by file name so releases diff cleanly. */
export function sha256sumsText(entries: { name: string; sha256: string }[]): string {
  return [...entries]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((e) => `${e.sha256}  ${e.name}\n`)
    .join("");
}

/** Parse `sha256sum` output (text or `*binary` mode); rejects malformed lines. */
export function parseSha256Sums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (!m) throw new Error(`SHA256SUMS line ${i + 1} is not "<sha256>  <file>": ${line}`);
    out.set(m[2]!, m[1]!);
  });
  return out;
}

export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

export function median(values: number[]): number {
  if (!values.length) throw new Error("median of nothing");
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const ROOT = resolve(import.meta.dir, "..");

/** Short commit of the checkout, `-dirty` when it has changes; "unknown" without git. */
export function gitCommit(cwd: string = ROOT): string {
  const git = (...args: string[]) => {
    try {
      const r = Bun.spawnSync(["git", ...args], { cwd, stderr: "ignore" });
      return r.exitCode === 0 ? r.stdout.toString().trim() : undefined;
    } catch {
      return undefined;
    }
  };
  const sha = git("rev-parse", "--short=12", "HEAD");
  if (!sha) return "unknown";
  return git("status", "--porcelain", "--untracked-files=no") ? `${sha}-dirty` : sha;
}

/** Compile one binary; throws with Bun's output when the build fails. */
export async function compile(spec: Omit<CompileSpec, "bun" | "entry"> & { entry?: string }): Promise<void> {
  const argv = compileArgv({ bun: process.execPath, entry: spec.entry ?? join(ROOT, "src", "main.ts"), ...spec });
  const p = Bun.spawn(argv, { cwd: ROOT, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`bun build failed for ${spec.outfile} (exit ${code}):\n${out}${err}`);
}

/** Median wall time of `bin args…` over `runs` runs, in milliseconds. */
export function measureStartup(bin: string, args: string[], runs = 21): { median: number; min: number; max: number } {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = Bun.spawnSync([bin, ...args], { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    times.push(performance.now() - t0);
    if (r.exitCode !== 0) throw new Error(`${bin} ${args.join(" ")} exited ${r.exitCode}`);
  }
  return { median: median(times), min: Math.min(...times), max: Math.max(...times) };
}

const USAGE = `usage: scripts/build [--all] [--outdir DIR] [--commit SHA] [--measure] [--no-bytecode]
  (default)      dist/bot-bottle for this machine (+ dist/bot-bottle-linux-<arch> on macOS)
  --all          ${TARGETS.map(assetName).join(", ")} and SHA256SUMS
  --outdir DIR   output folder (default: dist)
  --commit SHA   commit reported by --version (default: $BOT_BOTTLE_COMMIT, else git)
  --measure      time \`bot-bottle --help\` (median of 21 runs) after a host build`;

async function main(argv: string[]): Promise<number> {
  const opts = parseBuildArgs(argv);
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const outdir = resolve(process.cwd(), opts.outdir);
  mkdirSync(outdir, { recursive: true });
  const commit = opts.commit ?? process.env.BOT_BOTTLE_COMMIT ?? gitCommit();
  const host = hostTarget();
  const planned = plannedBinaries({ all: opts.all, outdir }, host);
  for (const b of planned) {
    const t0 = performance.now();
    await compile({ outfile: b.file, target: b.target, commit, bytecode: opts.bytecode });
    console.log(`built ${b.file} (${b.target ? assetName(b.target).slice(BINARY.length + 1) : "host"}) in ${Math.round(performance.now() - t0)} ms`);
  }
  if (opts.all) {
    const sums = sha256sumsText(planned.map((b) => ({ name: basename(b.file), sha256: sha256File(b.file) })));
    writeFileSync(join(outdir, "SHA256SUMS"), sums);
    console.log(`wrote ${join(outdir, "SHA256SUMS")}`);
  }
  if (opts.measure) {
    const hostFile = opts.all ? join(outdir, assetName(host)) : join(outdir, BINARY);
    const m = measureStartup(hostFile, ["--help"]);
    console.log(`startup of \`${basename(hostFile)} --help\`: median ${m.median.toFixed(1)} ms (min ${m.min.toFixed(1)}, max ${m.max.toFixed(1)}, 21 runs)`);
  }
  return 0;
}

if (import.meta.main) {
  try {
    process.exit(await main(process.argv.slice(2)));
  } catch (e) {
    console.error(`build: ${(e as Error).message}`);
    process.exit(1);
  }
}
