import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../../../src/util/ports.ts";
import { chooseRegistry, registryRunArgv, waitForRegistry, withPackRegistry } from "../../../../src/backends/smolmachines/pack-registry.ts";
import { cranePushArgv, craneServeArgv } from "../../../../src/backends/smolmachines/crane.ts";
import { run, type Runner } from "../../../../src/util/run.ts";
import { craneCalls, fakeSmolvmEnv, removeTempDirs, tempDir } from "../../../fakes/smolvm-lib/testing.ts";

afterAll(removeTempDirs);

test.each([
  [true, true, "container"],
  [true, false, "container"],
  [false, true, "crane"],
  [false, false, null],
] as const)("chooseRegistry(image=%p, crane=%p) → %p", (img, crane, want) => {
  expect(chooseRegistry({ registryImagePresent: img, craneAvailable: crane })).toBe(want);
});

test("argv", () => {
  expect(registryRunArgv("r1", "registry:2", 5123)).toEqual(["docker", "run", "-d", "--rm", "--name", "r1", "--label", "bot-bottle.pack-registry=1", "-p", "127.0.0.1:5123:5000", "registry:2"]);
  expect(craneServeArgv("crane", 5123)).toEqual(["crane", "registry", "serve", "--address", "127.0.0.1:5123"]);
  expect(cranePushArgv("crane", "/t.tar", "localhost:5123/bot-bottle/agent:k")).toEqual(["crane", "push", "/t.tar", "localhost:5123/bot-bottle/agent:k"]);
});

test("freePort gives a loopback port nobody listens on", async () => {
  const port = freePort();
  expect(port).toBeGreaterThan(0);
  await expect(waitForRegistry(port, 300)).rejects.toThrow("did not come up");
});

describe("withPackRegistry (fake crane)", () => {
  const setup = () => {
    const fake = fakeSmolvmEnv();
    const env = { ...process.env, ...fake.env } as Record<string, string>;
    // No registry image in this "engine": crane serves.
    const runner: Runner = async (argv, opts) => (argv[0] === "docker" ? { argv, code: 1, stdout: "", stderr: "No such image" } : run(argv, opts));
    return { fake, deps: { runner, registryImage: "registry:2", logDir: tempDir("reg-log-"), env } };
  };

  test("serves on loopback for the body, then is gone", async () => {
    const s = setup();
    let port = 0;
    const out = await withPackRegistry(s.deps, async (reg) => {
      port = reg.port;
      expect(reg.kind).toBe("crane");
      expect(reg.host).toBe(`localhost:${reg.port}`);
      return (await fetch(`http://127.0.0.1:${reg.port}/v2/`)).status;
    });
    expect(out).toBe(200);
    await expect(fetch(`http://127.0.0.1:${port}/v2/`)).rejects.toThrow();
    expect(craneCalls(s.fake.stateDir).map((c) => c.argv.slice(0, 2))).toEqual([["registry", "serve"]]);
  });

  test("torn down when the body throws", async () => {
    const s = setup();
    let port = 0;
    await expect(
      withPackRegistry(s.deps, async (reg) => {
        port = reg.port;
        throw new Error("push failed");
      }),
    ).rejects.toThrow("push failed");
    await expect(fetch(`http://127.0.0.1:${port}/v2/`)).rejects.toThrow();
  });
});
