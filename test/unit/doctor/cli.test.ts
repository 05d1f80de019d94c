// `bot-bottle doctor` end to end on a controlled PATH: the fakes for smolvm
// and crane, no docker at all, a stand-in /dev/kvm.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { FAKES_DIR, removeTempDirs, tempDir } from "../../fakes/smolvm-lib/testing.ts";

afterAll(removeTempDirs);

const MAIN = join(import.meta.dir, "../../../src/main.ts");

async function doctor(args: string[], extra: Record<string, string>) {
  const home = tempDir("doctor-home-");
  const kvm = join(home, "kvm");
  writeFileSync(kvm, "");
  const p = Bun.spawn([process.execPath, MAIN, "doctor", ...args], {
    env: {
      HOME: home,
      XDG_CONFIG_HOME: join(home, "config"),
      PATH: `${FAKES_DIR}:${dirname(process.execPath)}`,
      FAKE_BUN: process.execPath,
      FAKE_SMOLVM_STATE: join(home, "smolvm"),
      BOT_BOTTLE_KVM_DEVICE: kvm,
      ...extra,
    },
    stdout: "pipe",
    stderr: "pipe",
    timeout: 30_000,
  });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { stdout, stderr, code };
}

test("--json: every check with its fix; exit 1 when the default backend cannot run", async () => {
  const r = await doctor(["--json"], { BOT_BOTTLE_BACKEND: "smolmachines" });
  expect(r.code).toBe(1);
  const report = JSON.parse(r.stdout);
  expect(report.defaultBackend).toBe("smolmachines");
  const by = Object.fromEntries(report.checks.map((c: any) => [c.id, c]));
  expect(by["docker-client"].status).toBe("fail");
  expect(by["smolvm"]).toMatchObject({ status: "ok", detail: expect.stringContaining("0.8.2") });
  expect(by["smolvm-egress-filter"].status).toBe("warn");
  expect(by["crane"].status).toBe("ok");
  expect(by["kvm"].status).toBe("ok");
  expect(report.usable).toEqual({ docker: false, smolmachines: false });
});

test("human output names the fix; a too-old smolvm is reported", async () => {
  const r = await doctor([], { FAKE_SMOLVM_VERSION: "0.7.0" });
  expect(r.code).toBe(1);
  expect(r.stdout).toContain("✖ docker client: not found on PATH");
  expect(r.stdout).toContain("✖ smolvm: 0.7.0 is too old");
  expect(r.stdout).toContain("fix: upgrade to smolvm 0.8 or newer");
});
