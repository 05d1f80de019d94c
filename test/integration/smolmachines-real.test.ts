// The smolmachines flow against a REAL smolvm: runs only on a host with
// smolvm (not the test fake), an accessible /dev/kvm, crane (or the
// configured registry image) and a docker engine; skips with the reason
// otherwise. Same checks as smolmachines.test.ts minus the fake's call log.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { accessSync, constants, existsSync } from "node:fs";
import { resolve } from "node:path";
import { run } from "../../src/util/run.ts";
import { parseSmolvmVersion, isSupportedVersion } from "../../src/backends/smolmachines/smolvm-argv.ts";
import { craneAvailable } from "../../src/backends/smolmachines/crane.ts";
import { describeRun } from "../helpers/cli.ts";
import { dockerStatus, imageExists } from "../helpers/docker.ts";
import { testBottle, type TestBottle } from "../helpers/bottle.ts";
import { FAKES_DIR } from "../fakes/smolvm-lib/testing.ts";

async function whyNot(): Promise<string | null> {
  const bin = Bun.which("smolvm");
  if (!bin) return "no smolvm on PATH";
  if (resolve(bin).startsWith(FAKES_DIR)) return "smolvm on PATH is the test fake";
  const v = parseSmolvmVersion((await run([bin, "--version"]).catch(() => ({ stdout: "" }))).stdout);
  if (!v || !isSupportedVersion(v)) return `smolvm ${v?.raw ?? "(unknown version)"} is not 0.8 or newer`;
  if (process.platform === "linux") {
    if (!existsSync("/dev/kvm")) return "no /dev/kvm";
    try {
      accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
    } catch {
      return "/dev/kvm is not accessible";
    }
  }
  const docker = await dockerStatus();
  if (!docker.ok) return docker.reason ?? "no docker engine";
  if (!craneAvailable() && !(await imageExists(process.env.BOT_BOTTLE_REGISTRY_IMAGE || "registry:2"))) return "neither crane nor a registry image";
  return null;
}

const reason = await whyNot();
if (reason) console.log(`SKIP smolmachines with a real smolvm: ${reason}`);

describe.skipIf(reason !== null)("smolmachines backend with a real smolvm", () => {
  let bottle: TestBottle;
  let second = "";
  beforeAll(() => {
    bottle = testBottle({
    prefix: "smreal",
    manifest: `
version = 1
[bottles.box]
agent = "box"
provider = "shell"
copy_cwd = true
[bottles.box.env]
GREETING = "hello from the manifest"
`,
    agents: { box: "+++\ndescription = \"real smolvm test\"\n+++\nYou are the real-smolvm test agent.\n" },
    files: { "notes.txt": "project file\n" },
    });
    second = `${bottle.id}-b`;
  });

  afterAll(async () => {
    if (!bottle) return;
    await bottle.cli(["rm", "--force", second], 120_000).catch(() => undefined);
    await bottle.cleanup();
  });

  const machines = async () => JSON.parse((await run(["smolvm", "machine", "ls", "--json"])).stdout || "[]").map((m: { name: string }) => m.name);

  test("run: the agent runs in a VM, reaches the bundle, exits with its code; nothing is left", async () => {
    const script = 'id -un; echo "G=$GREETING"; cat notes.txt; stat -c %a /etc/bot-bottle/prompt.md; curl -sS -o /dev/null https://blocked.invalid/ 2>&1 || true; exit 7';
    const r = await bottle.cli(["run", "box", "--name", bottle.id, "--backend", "smolmachines", "--", "bash", "-lc", script], 1_800_000);
    expect(r.code, describeRun(r)).toBe(7);
    expect(r.stdout).toContain("node\nG=hello from the manifest\nproject file\n600\n");
    expect(r.stdout).toContain("response 403");
    expect(await machines()).not.toContain(`bot-bottle-${bottle.id}`);
  }, 1_800_000);

  test("second launch of the same image is a cache hit", async () => {
    const r = await bottle.cli(["run", "box", "--name", second, "--backend", "smolmachines", "--", "true"], 600_000);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout + r.stderr).not.toContain("packing ");
    expect(await machines()).not.toContain(`bot-bottle-${second}`);
  }, 600_000);
});
