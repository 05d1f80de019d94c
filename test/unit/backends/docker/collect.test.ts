// DockerDriver.collect: exec as the agent user with stdout to a file; a
// stopped agent container is started for the call and stopped again; a
// missing one is "gone" (null), an engine that cannot answer is an error.
import { describe, expect, test } from "bun:test";
import { DockerDriver, isDockerRefusal } from "../../../../src/backends/docker/driver.ts";
import { Docker } from "../../../../src/backends/shared/docker.ts";
import { DEFAULTS } from "../../../../src/config/config.ts";
import { testPlan } from "../../../helpers/plan.ts";
import { fakeRunner, startsWith } from "../../../helpers/fake-runner.ts";

const ENV = { XDG_STATE_HOME: "/nonexistent/state" };

function setup(state: "running" | "exited" | null, psFails = false) {
  let current = state;
  const files: { argv: string[]; out?: string; stdin?: string | Uint8Array }[] = [];
  const { runner, calls } = fakeRunner([
    (a) => (startsWith(a, "docker", "ps") && psFails ? { code: 1, stderr: "Cannot connect to the Docker daemon" } : undefined),
    (a) => {
      if (startsWith(a, "docker", "start")) current = "running";
      return undefined;
    },
    (a, o) => {
      if (!startsWith(a, "docker", "exec")) return undefined;
      files.push({ argv: a, out: o?.stdoutFile, stdin: o?.stdin });
      if (current === null) return { code: 1, stderr: "Error response from daemon: No such container: x\n" };
      if (current === "exited") return { code: 1, stderr: "Error response from daemon: Container 0c674eeae827 is not running\n" };
      return { code: 0 };
    },
  ]);
  const driver = new DockerDriver({ docker: new Docker(runner), config: DEFAULTS, env: ENV });
  return { driver, calls, files };
}

describe("DockerDriver.collect", () => {
  test("a failing command is not mistaken for a stopped container", () => {
    expect(isDockerRefusal("fatal: not a git repository\n")).toBe(false);
    expect(isDockerRefusal("Error response from daemon: No such container: x")).toBe(true);
  });

  test("running: one exec as the agent user, stdout to the file", async () => {
    const plan = await testPlan();
    const { driver, calls, files } = setup("running");
    expect(await driver.collect(plan, ["sh", "-c", "x"], { out: "/o" })).toEqual({ code: 0, stderr: "" });
    expect(files[0]!.argv).toEqual(["docker", "exec", "--user", "node", "--workdir", "/", plan.containers.agent, "sh", "-c", "x"]);
    expect(files[0]!.out).toBe("/o");
    expect(calls.filter((c) => startsWith(c.argv, "docker", "start") || startsWith(c.argv, "docker", "stop"))).toEqual([]);
  });

  test("stopped: started for the call and stopped again; input goes to stdin", async () => {
    const plan = await testPlan();
    const { driver, calls, files } = setup("exited");
    await driver.collect(plan, ["tar"], { out: "/o", input: new Uint8Array([1]) });
    expect(files[0]!.argv.slice(0, 3)).toEqual(["docker", "exec", "--interactive"]);
    const verbs = calls.map((c) => c.argv.slice(1, 2)[0]).filter((v) => v === "start" || v === "stop");
    expect(verbs).toEqual(["start", "stop"]);
    expect(files).toHaveLength(2);
  });

  test("missing: null (gone); an engine that cannot answer throws instead", async () => {
    const plan = await testPlan();
    expect(await setup(null).driver.collect(plan, ["x"], { out: "/o" })).toBeNull();
    expect(await setup(null, true).driver.collect(plan, ["x"], { out: "/o" }).catch((e) => e.code)).toBe("DOCKER");
  });
});
