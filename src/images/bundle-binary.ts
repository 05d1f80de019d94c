// Which Linux bot-bottle executable goes into the bundle image. The bundle
// runs this same codebase (`bot-bottle bundle serve`), so it needs a Linux
// build for the engine's CPU — even when the host is macOS.
//
// Order (first that applies):
//   1. BOT_BOTTLE_BUNDLE_BINARY — an explicit file (CI, packagers).
//   2. This executable, when it is a compiled Linux binary for the engine's arch.
//   3. A sibling `bot-bottle-linux-<arch>` next to this executable (how a
//      macOS release ships: both binaries side by side).
//   4. Running from source: compile one with `bun build --compile
//      --target=bun-linux-<arch> src/main.ts`, cached by a hash of src/, so
//      tests and development always run the current code.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { consola } from "consola";
import { BottleError } from "../util/errors.ts";
import { runOk, type Runner, run } from "../util/run.ts";
import { cacheDir } from "../util/paths.ts";
import { normalizeArch } from "../util/arch.ts";
import { sha256Hex } from "./tag.ts";
import { withLock } from "../util/work-lock.ts";

export type BinaryChoice =
  | { kind: "env" | "self" | "sibling"; path: string }
  | { kind: "compile"; target: string; entry: string }
  | { kind: "none"; reason: string };

export interface BinaryFacts {
  envPath?: string;
  execPath: string;
  /** Running as a `bun build --compile` executable (not `bun src/main.ts`). */
  compiled: boolean;
  hostPlatform: string;
  hostArch: string;
  engineArch: string;
  exists: (path: string) => boolean;
  /** src/main.ts when running from source. */
  sourceEntry?: string;
}

export function chooseBundleBinary(f: BinaryFacts): BinaryChoice {
  if (f.envPath) return { kind: "env", path: f.envPath };
  const arch = normalizeArch(f.engineArch);
  if (f.compiled) {
    if (f.hostPlatform === "linux" && normalizeArch(f.hostArch) === arch) return { kind: "self", path: f.execPath };
    const sibling = join(dirname(f.execPath), `bot-bottle-linux-${arch}`);
    if (f.exists(sibling)) return { kind: "sibling", path: sibling };
  }
  if (f.sourceEntry) return { kind: "compile", target: `bun-linux-${arch}`, entry: f.sourceEntry };
  return {
    kind: "none",
    reason: `no Linux ${arch} build of bot-bottle for the bundle: put bot-bottle-linux-${arch} next to ${f.execPath} or set BOT_BOTTLE_BUNDLE_BINARY`,
  };
}

/** Compiled executables see their modules under Bun's virtual /$bunfs/ root. */
export function isCompiled(): boolean {
  return import.meta.path.includes("$bunfs") || import.meta.path.startsWith("B:/~BUN");
}

/** Hash of the sources a compile would bundle (src/ and the dependency manifest). */
export function sourceHash(srcDir: string): string {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) files.push(p);
    }
  };
  walk(srcDir);
  const h = new Bun.CryptoHasher("sha256");
  for (const f of files.sort()) h.update(relative(srcDir, f) + "\0").update(readFileSync(f)).update("\0");
  for (const extra of ["package.json", "bun.lock", "package-lock.json"]) {
    const p = join(srcDir, "..", extra);
    if (existsSync(p)) h.update(extra + "\0").update(readFileSync(p));
  }
  return h.digest("hex");
}

/**
 * sha256 of a file (the binary is ~100 MB: ~0.5 s), memoised in memory and in
 * `memoFile` by path+size+mtime so warm launches skip it.
 */
export function fileHash(path: string, memoFile?: string): string {
  const st = statSync(path);
  const key = `${path}:${st.size}:${st.mtimeMs}`;
  let memo: Record<string, string> = {};
  if (memoFile && existsSync(memoFile)) {
    try {
      memo = JSON.parse(readFileSync(memoFile, "utf8"));
    } catch {
      memo = {};
    }
  }
  const known = memo[key];
  if (known) return known;
  const h = sha256Hex(readFileSync(path));
  if (memoFile) {
    // Only the current key: a memo never grows past one entry per binary path.
    const next = Object.fromEntries(Object.entries(memo).filter(([k]) => !k.startsWith(path + ":")));
    next[key] = h;
    mkdirSync(dirname(memoFile), { recursive: true });
    const tmp = `${memoFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(next));
    renameSync(tmp, memoFile);
  }
  return h;
}

/**
 * Pure: the compile of the bundle binary from source, as the release build
 * makes it (minified, with bytecode): the bundle then starts as fast as a
 * release's (its Bun start is on every launch's path: readiness ~130 → ~45 ms
 * here) and tests run what ships.
 */
export function compileArgv(bun: string, target: string, entry: string, outfile: string): string[] {
  return [bun, "build", "--compile", "--minify", "--bytecode", "--format=esm", `--target=${target}`, entry, "--outfile", outfile];
}

export interface BundleBinary {
  path: string;
  sha256: string;
  source: BinaryChoice["kind"];
}

/** Thin I/O around chooseBundleBinary: compiles when needed. */
export async function resolveBundleBinary(
  engineArch: string,
  env: Record<string, string | undefined> = process.env,
  runner: Runner = run,
): Promise<BundleBinary> {
  const srcDir = join(import.meta.dir, "..");
  const entry = join(srcDir, "main.ts");
  const choice = chooseBundleBinary({
    envPath: env.BOT_BOTTLE_BUNDLE_BINARY,
    execPath: process.execPath,
    compiled: isCompiled(),
    hostPlatform: process.platform,
    hostArch: process.arch,
    engineArch,
    exists: existsSync,
    sourceEntry: !isCompiled() && existsSync(entry) ? entry : undefined,
  });
  switch (choice.kind) {
    case "none":
      throw new BottleError("BACKEND", choice.reason, { hint: "download the Linux release for the bundle" });
    case "env":
    case "self":
    case "sibling":
      if (!existsSync(choice.path)) {
        throw new BottleError("BACKEND", `bundle binary ${choice.path} does not exist`, { hint: "fix BOT_BOTTLE_BUNDLE_BINARY" });
      }
      return { path: choice.path, sha256: fileHash(choice.path, join(cacheDir(env), "bundle-bin", "hashes.json")), source: choice.kind };
    case "compile": {
      // The flags are part of the key: a binary made another way is never reused.
      const hash = sha256Hex(sourceHash(srcDir) + choice.target + compileArgv("", "", "", "").join(" "));
      const dir = join(cacheDir(env), "bundle-bin", hash.slice(0, 16));
      const out = join(dir, "bot-bottle");
      if (!existsSync(out)) {
        mkdirSync(dir, { recursive: true });
        // One compile across processes; the rename means nobody ever sees half a file.
        await withLock(join(dir, "compile.lock"), async () => {
          if (existsSync(out)) return;
          consola.start(`compiling the bundle binary (${choice.target})`);
          const tmp = `${out}.${process.pid}.tmp`;
          await runOk(runner, compileArgv(process.execPath, choice.target, choice.entry, tmp), "BACKEND", {
            hint: "cross-compiling needs the bun runtime for that target (downloaded once by bun)",
          });
          renameSync(tmp, out);
        }, { busy: { code: "BACKEND", doing: "compiling the bundle binary" } });
      }
      return { path: out, sha256: hash, source: "compile" };
    }
  }
}
