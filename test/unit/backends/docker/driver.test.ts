import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentContainerSpec, DockerDriver } from "../../../../src/backends/docker/driver.ts";
import { stateKey, SUBNET_ATTEMPTS } from "../../../../src/backends/shared/bundle-sidecar.ts";
import { liveStatus } from "../../../../src/backends/shared/live-status.ts";
import { bundleContainerSpec } from "../../../../src/backends/shared/bundle-container.ts";
import { Docker } from "../../../../src/backends/shared/docker.ts";
import { DEFAULTS } from "../../../../src/config/config.ts";
import { BottleError } from "../../../../src/util/errors.ts";
import { testPlan, REAL_KEY } from "../../../helpers/plan.ts";
import { fakeRunner, startsWith } from "../../../helpers/fake-runner.ts";

const TMP = mkdtempSync(join(tmpdir(), "bb-driver-"));
const ENV = { HOME: TMP, XDG_STATE_HOME: join(TMP, "state"), XDG_CACHE_HOME: join(TMP, "cache") };
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe("agentContainerSpec", () => {
  test("internal network only, pinned IP, least privilege, limits", async () => {
    const plan = await testPlan();
    const { spec } = agentContainerSpec(plan, "img", "k");
    expect(spec.network).toBe(plan.network.internal);
    expect(spec.ip).toBe(plan.network.agentIp);
    expect(spec.capAdd).toEqual(["CHOWN", "DAC_OVERRIDE", "FOWNER"]);
    expect(spec.cpus).toBe(2);
    expect(spec.memory).toBe("2g");
    expect(spec.labels).toEqual({ identity: "coder-abc123", state: "k", role: "agent" });
    expect(spec.env?.HTTPS_PROXY).toBe(`http://${plan.network.bundleIp}:8888`);
  });

  test("secret agent env goes by name; the real route credential never reaches the agent", async () => {
    const plan = await testPlan();
    const { spec, values } = agentContainerSpec(plan, "img", "k");
    expect(spec.passEnv).toEqual(["SESSION_TOKEN"]);
    expect(values).toEqual({ SESSION_TOKEN: "tok-1234567890" });
    expect(JSON.stringify(spec)).not.toContain(REAL_KEY);
    expect(spec.env?.ANTHROPIC_API_KEY).toBeDefined();
    expect(spec.env?.ANTHROPIC_API_KEY).not.toBe(REAL_KEY);
  });
});

describe("bundleContainerSpec", () => {
  test("internal IP, host uid, state mount, ssh keys read-only, secrets by name", async () => {
    const plan = await testPlan("git");
    const spec = bundleContainerSpec(
      { plan, image: "b", network: "int", ip: "10.0.0.2", hostDir: "/state/b", secrets: { BOT_BOTTLE_CRED_0: "x" }, stateKey: "k" },
      1000,
      1001,
    );
    expect(spec.user).toBe("1000:1001");
    expect(spec.volumes).toEqual(["/state/b:/var/lib/bot-bottle", "/keys/id:/run/bot-bottle/ssh/origin:ro"]);
    expect(spec.passEnv).toEqual(["BOT_BOTTLE_CRED_0"]);
    expect(spec.name).toBe(plan.containers.bundle);
    expect(spec.ip).toBe("10.0.0.2");
    // A memory limit by default, sized from the proxy's measured peak (overridable: bundle_memory).
    expect(spec.memory).toBe(plan.resources.bundleMemory);
  });
});

describe("liveStatus", () => {
  test.each([
    [undefined, undefined, "missing"],
    ["running", "running", "running"],
    ["exited", "exited", "stopped"],
    ["exited", "created", "stopped"],
    ["running", "exited", "partial"],
    ["running", undefined, "partial"],
  ] as const)("bundle %p agent %p → %p", (b, a, want) => expect(liveStatus(b, a)).toBe(want));
});

describe("DockerDriver networks", () => {
  test("walks to the next subnet on overlap and moves the proxy env with it", async () => {
    const plan = await testPlan();
    const first = plan.network.cidr;
    let n = 0;
    const { runner, calls } = fakeRunner([
      (a) => (startsWith(a, "docker", "network", "create") && a.includes("--internal") && n++ < 2 ? { code: 1, stderr: "Pool overlaps" } : undefined),
    ]);
    await new DockerDriver({ docker: new Docker(runner), config: DEFAULTS, env: ENV }).createNetworks(plan);
    const creates = calls.filter((c) => startsWith(c.argv, "docker", "network", "create"));
    const internal = creates.filter((c) => c.argv.includes("--internal"));
    const egress = creates.filter((c) => !c.argv.includes("--internal"));
    expect(internal.length).toBe(3);
    expect(egress.length).toBe(1);
    expect(plan.network.cidr).not.toBe(first);
    expect(internal[2]!.argv).toContain(plan.network.cidr);
    expect(internal[2]!.argv).toContain("com.docker.network.bridge.inhibit_ipv4=true");
    expect(plan.env.find((e) => e.name === "HTTPS_PROXY")!.value).toBe(`http://${plan.network.bundleIp}:8888`);
  });

  test("hostAddress (smolmachines: the VM's traffic leaves from the host stack) keeps the host's address on the bridge", async () => {
    const plan = await testPlan();
    const { runner, calls } = fakeRunner([]);
    await new DockerDriver({ docker: new Docker(runner), config: DEFAULTS, env: ENV }).createNetworks(plan, { hostAddress: true });
    const internal = calls.find((c) => startsWith(c.argv, "docker", "network", "create") && c.argv.includes("--internal"))!;
    expect(internal.argv).not.toContain("com.docker.network.bridge.inhibit_ipv4=true");
  });

  test("gives up after SUBNET_ATTEMPTS", async () => {
    const plan = await testPlan();
    const { runner } = fakeRunner([() => ({ code: 1, stderr: "Pool overlaps" })]);
    const err = await new DockerDriver({ docker: new Docker(runner), config: DEFAULTS, env: ENV }).createNetworks(plan).catch((e) => e);
    expect((err as BottleError).message).toContain(`after ${SUBNET_ATTEMPTS} tries`);
  });
});

describe("DockerDriver lifecycle over a fake engine", () => {
  class FakeImages extends DockerDriver {
    override async images() {
      return { agent: "agent-img", bundle: "bundle-img" };
    }
  }

  test("a failure midway removes everything labelled with the bottle", async () => {
    const plan = await testPlan("shell", "shell-fail01");
    const { runner, calls } = fakeRunner([
      (a) => (startsWith(a, "docker", "create") ? { code: 125, stderr: "Unable to find image" } : undefined),
      (a) => (startsWith(a, "docker", "ps") ? { stdout: "bot-bottle-shell-fail01-bundle\tshell-fail01\tcreated\n" } : undefined),
      (a) => (startsWith(a, "docker", "network", "ls") ? { stdout: "bot-bottle-shell-fail01-int\tshell-fail01\nbot-bottle-shell-fail01-egress\tshell-fail01\n" } : undefined),
    ]);
    const d = new FakeImages({ docker: new Docker(runner), config: DEFAULTS, env: ENV });
    const err = await d.up(plan, {}).catch((e) => e);
    expect(err).toBeInstanceOf(BottleError);
    const after = calls.slice(-5).map((c) => c.argv.slice(0, 3).join(" "));
    expect(after).toEqual(["docker ps -a", "docker rm --force", "docker network ls", "docker network rm", "docker network rm"]);
    const ps = calls.find((c) => startsWith(c.argv, "docker", "ps"))!.argv;
    expect(ps).toContain(`label=bot-bottle.state=${stateKey(ENV)}`);
  });

  test("attach runs the provider command as node in the workdir", async () => {
    const plan = await testPlan("shell", "shell-att01");
    const seen: string[][] = [];
    const docker = new Docker(fakeRunner().runner, async (argv) => {
      seen.push(argv);
      return { code: 4, tail: [] };
    });
    const code = await new DockerDriver({ docker, config: DEFAULTS, env: ENV }).attach(plan, { interactive: false });
    expect(code).toBe(4);
    expect(seen[0]).toEqual(["docker", "exec", "--user", "node", "--workdir", "/home/node/work", plan.containers.agent, "sh", "-c", 'exec "$@"', "bot-bottle", "bot-bottle-demo"]);
  });

  test("listIdentities unions containers and networks of this state only", async () => {
    const { runner, calls } = fakeRunner([
      (a) => (startsWith(a, "docker", "ps") ? { stdout: "c\tb-1\trunning\n" } : undefined),
      (a) => (startsWith(a, "docker", "network", "ls") ? { stdout: "n\ta-2\nm\tb-1\n" } : undefined),
    ]);
    const ids = await new DockerDriver({ docker: new Docker(runner), config: DEFAULTS, env: ENV }).listIdentities();
    expect(ids).toEqual(["a-2", "b-1"]);
    expect(calls[0]!.argv).toContain(`label=bot-bottle.state=${stateKey(ENV)}`);
  });
});
