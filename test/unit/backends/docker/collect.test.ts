// DockerDriver.collect: exec as the agent user with stdout to a file; a
// stopped agent container is started for the call and stopped again; a
// missing one is "gone" (null), an engine that cannot answer is an error.
import { describe, expect, test } from "bun:test";
import { DockerDriver } from "../../../../src/backends/docker/driver.ts";
import { Docker } from "../../../../src/backends/docker/docker.ts";
import { DEFAULTS } from "../../../../src/config/config.ts";
import type { FileRunner } from "../../../../src/util/run.ts";
import { testPlan } from "../../lifecycle/plan-fixture.ts";
import { fakeRunner, startsWith } from "./fake-runner.ts";

const ENV = { XDG_STATE_HOME: "/nonexistent/state" };

function setup(state: string | null, psFails = false) {
  const { runner, calls } = fakeRunner([
    (a) => (startsWith(a, "docker", "inspect") ? { stdout: state ? `/bot-bottle-coder-abc123-agent\t${state}\n` : "", code: state ? 0 : 1 } : undefined),
    (a) => (startsWith(a, "docker", "ps") && psFails ? { code: 1, stderr: "Cannot connect to the Docker daemon" } : undefined),
  ]);
  const files: { argv: string[]; out: string; stdin?: Uint8Array }[] = [];
  const toFile: FileRunner = async (argv, out, o) => {
    files.push({ argv, out, stdin: o?.stdin });
    return { code: 0, stderr: "" };
  };
  const driver = new DockerDriver({ docker: new Docker(runner, undefined, toFile), config: DEFAULTS, env: ENV });
  return { driver, calls, files };
}

describe("DockerDriver.collect", () => {
  test("running: one exec as the agent user, stdout to the file", async () => {
    const plan = await testPlan();
    const { driver, calls, files } = setup("running");
    expect(await driver.collect(plan, ["sh", "-c", "x"], { out: "/o" })).toEqual({ code: 0, stderr: "" });
    expect(files[0]!.argv).toEqual(["docker", "exec", "--user", "node", "--workdir", "/", plan.containers.agent, "sh", "-c", "x"]);
    expect(calls.filter((c) => startsWith(c.argv, "docker", "start") || startsWith(c.argv, "docker", "stop"))).toEqual([]);
  });

  test("stopped: started for the call and stopped again; input goes to stdin", async () => {
    const plan = await testPlan();
    const { driver, calls, files } = setup("exited");
    await driver.collect(plan, ["tar"], { out: "/o", input: new Uint8Array([1]) });
    expect(files[0]!.argv.slice(0, 3)).toEqual(["docker", "exec", "--interactive"]);
    const verbs = calls.map((c) => c.argv.slice(1, 2)[0]).filter((v) => v === "start" || v === "stop");
    expect(verbs).toEqual(["start", "stop"]);
  });

  test("missing: null (gone); an engine that cannot answer throws instead", async () => {
    const plan = await testPlan();
    expect(await setup(null).driver.collect(plan, ["x"], { out: "/o" })).toBeNull();
    expect(await setup(null, true).driver.collect(plan, ["x"], { out: "/o" }).catch((e) => e.code)).toBe("DOCKER");
  });
});
