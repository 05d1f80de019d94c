// A cross-compiled binary really runs: linux-arm64 (what the bundle runs on
// Apple silicon, and on arm64 Linux) under qemu user-mode emulation. Bun
// fetches the arm64 runtime from the npm registry on first use.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile, hostTarget } from "../../scripts/build.ts";
import pkg from "../../package.json" with { type: "json" };

// Debian: apt-get install qemu-user libc6-arm64-cross
const QEMU = Bun.which("qemu-aarch64");
const SYSROOT = "/usr/aarch64-linux-gnu";
const native = hostTarget().os === "linux" && hostTarget().arch === "arm64";
const reason = native
  ? "this host is linux-arm64: binary.test.ts already runs that build natively"
  : !QEMU || !existsSync(join(SYSROOT, "lib", "ld-linux-aarch64.so.1"))
    ? "needs qemu-aarch64 and an arm64 libc (apt-get install qemu-user libc6-arm64-cross)"
    : "";
if (reason) console.log(`skip: linux-arm64 binary under qemu — ${reason}`);

const work = mkdtempSync(join(tmpdir(), "bb-cross-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!!reason)("bot-bottle-linux-arm64 under qemu", () => {
  const bin = join(work, "bot-bottle-linux-arm64");

  async function run(args: string[]) {
    const p = Bun.spawn([QEMU!, "-L", SYSROOT, bin, ...args], { cwd: work, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const timer = setTimeout(() => p.kill(), 60_000);
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    clearTimeout(timer);
    return { out, err, code };
  }

  test("compiles, reports its version, validates the built-in manifest", async () => {
    await compile({ outfile: bin, target: { os: "linux", arch: "arm64" }, commit: "crosstest", bytecode: true });
    const v = await run(["--version"]);
    expect(v.err).toBe("");
    expect(v.out).toBe(`bot-bottle ${pkg.version} (crosstest)\n`);
    const j = await run(["validate", "--json"]);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.out).ok).toBe(true);
  }, 180_000);
});
