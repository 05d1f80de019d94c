// scripts/install.sh against a local release server (Bun.serve on 127.0.0.1)
// serving a release directory built from a real compiled binary. Runs under
// dash when present, to hold the script to POSIX sh.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { assetName, compile, hostTarget, sha256File, sha256sumsText, type Target } from "../../scripts/build.ts";
import pkg from "../../package.json" with { type: "json" };

const SCRIPT = resolve(import.meta.dir, "../../scripts/install.sh");
const SH = Bun.which("dash") ?? "/bin/sh";
const VERSION = pkg.version;
const COMMIT = "installtest";
// Each install moves a ~100 MB binary through HTTP, sha256 and a copy.
const SLOW = 60_000;

let work: string;
let releases: string;
let server: ReturnType<typeof Bun.serve>;
let baseUrl: string;
const host = hostTarget();

/** A release folder: the host binary under each asset name (hard links: no copies of 100 MB). */
function makeRelease(dir: string, binary: string, targets: Target[], corrupt?: string): void {
  mkdirSync(dir, { recursive: true });
  const names = targets.map(assetName);
  for (const n of names) linkSync(binary, join(dir, n));
  const sums = names.map((name) => ({ name, sha256: name === corrupt ? "0".repeat(64) : sha256File(binary) }));
  writeFileSync(join(dir, "SHA256SUMS"), sha256sumsText(sums));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "bb-install-"));
  const binary = join(work, "bot-bottle");
  await compile({ outfile: binary, commit: COMMIT, bytecode: true });
  releases = join(work, "releases");
  const all: Target[] = [host, { os: "darwin", arch: "arm64" }, { os: "linux", arch: "arm64" }];
  makeRelease(join(releases, "download", `v${VERSION}`), binary, all);
  makeRelease(join(releases, "download", "v0.0.1-corrupt"), binary, all, assetName(host));
  makeRelease(join(releases, "download", "v0.0.2-corrupt-sibling"), binary, all, "bot-bottle-linux-arm64");
  mkdirSync(join(releases, "latest"));
  symlinkSync(join(releases, "download", `v${VERSION}`), join(releases, "latest", "download"));
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = resolve(releases, "." + decodeURIComponent(new URL(req.url).pathname));
      if (!path.startsWith(releases + sep) || !existsSync(path)) return new Response("Not Found", { status: 404 });
      return new Response(Bun.file(path));
    },
  });
  baseUrl = `http://127.0.0.1:${server.port}/`;
}, 120_000);

afterAll(() => {
  server?.stop(true);
  if (work) rmSync(work, { recursive: true, force: true });
});

let n = 0;
async function install(args: string[], env: Record<string, string> = {}) {
  const dir = join(work, `bin-${++n}`);
  const p = Bun.spawn([SH, SCRIPT, ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: work, BOT_BOTTLE_BASE_URL: baseUrl, BOT_BOTTLE_INSTALL_DIR: dir, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => p.kill(), 60_000);
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  clearTimeout(timer);
  return { dir, out, err, code, files: existsSync(dir) ? readdirSync(dir).sort() : [] };
}

function runVersion(bin: string): string {
  const r = Bun.spawnSync([bin, "--version"], { stdin: "ignore" });
  expect(r.exitCode).toBe(0);
  return r.stdout.toString().trim();
}

describe(`install.sh (${SH})`, () => {
  test("latest release: checksum passes, the installed binary runs", async () => {
    const r = await install([]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.files).toEqual(["bot-bottle"]);
    expect(runVersion(join(r.dir, "bot-bottle"))).toBe(`bot-bottle ${VERSION} (${COMMIT})`);
    expect(r.out).toContain(`bot-bottle ${VERSION} (${COMMIT})`);
  }, SLOW);

  test("a given version, by flag or by environment, into --dir", async () => {
    const byFlag = await install(["--version", `v${VERSION}`]);
    expect(byFlag.code).toBe(0);
    expect(byFlag.out).toContain(`/download/v${VERSION}`);
    const dir = join(work, "chosen dir");
    const byEnv = await install(["--dir", dir], { BOT_BOTTLE_VERSION: VERSION });
    expect(byEnv.code).toBe(0);
    expect(runVersion(join(dir, "bot-bottle"))).toContain(VERSION);
  }, SLOW);

  test("checksum mismatch: refused, nothing installed", async () => {
    const r = await install(["--version", "0.0.1-corrupt"]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`checksum mismatch for ${assetName(host)}`);
    expect(r.err).toContain("refusing to install");
    expect(r.files).toEqual([]);
  }, SLOW);

  test("macOS: the Linux sibling for the bundle is installed too, and verified first", async () => {
    const mac = { BOT_BOTTLE_UNAME_S: "Darwin", BOT_BOTTLE_UNAME_M: "arm64" };
    const ok = await install([], mac);
    expect(ok.code).toBe(0);
    expect(ok.files).toEqual(["bot-bottle", "bot-bottle-linux-arm64"]);
    const bad = await install(["--version", "0.0.2-corrupt-sibling"], mac);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain("checksum mismatch for bot-bottle-linux-arm64");
    expect(bad.files).toEqual([]);
  }, SLOW);

  test.each([
    [{ BOT_BOTTLE_UNAME_S: "FreeBSD" }, "unsupported operating system 'FreeBSD'"],
    [{ BOT_BOTTLE_UNAME_M: "riscv64" }, "unsupported CPU 'riscv64'"],
  ])("unsupported platform %j", async (env, message) => {
    const r = await install([], env);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(message);
    expect(r.files).toEqual([]);
  });

  test("missing version: the 404 is named", async () => {
    const r = await install(["--version", "9.9.9"]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`${baseUrl}download/v9.9.9/SHA256SUMS answered HTTP 404`);
    expect(r.files).toEqual([]);
  });

  test("--help, and unknown options are usage errors", async () => {
    const help = await install(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("usage: install.sh");
    const bad = await install(["--frobnicate"]);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain("unknown option --frobnicate");
  });

  // Minimal machines and macOS: no curl → wget, no sha256sum → shasum.
  const tools = ["uname", "mktemp", "awk", "cut", "chmod", "cp", "mv", "mkdir", "rm", "cat", "wget", "shasum", "perl"];
  const missing = tools.filter((t) => !Bun.which(t));
  if (missing.length) console.log(`skip: wget/shasum fallback test needs ${missing.join(", ")}`);
  test.skipIf(missing.length > 0)("wget and shasum when curl and sha256sum are absent", async () => {
    const bin = join(work, "fallback-path");
    mkdirSync(bin, { recursive: true });
    for (const t of tools) if (!existsSync(join(bin, t))) symlinkSync(Bun.which(t)!, join(bin, t));
    const r = await install([], { PATH: bin });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(runVersion(join(r.dir, "bot-bottle"))).toContain(COMMIT);
    const corrupt = await install(["--version", "0.0.1-corrupt"], { PATH: bin });
    expect(corrupt.err).toContain("checksum mismatch");
    expect(corrupt.files).toEqual([]);
  }, SLOW);
});
