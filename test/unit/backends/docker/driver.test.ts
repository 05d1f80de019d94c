import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentContainerSpec, agentStartCmd, DockerDriver, START_DONE, START_MARKS } from "../../../../src/backends/docker/driver.ts";
import { existsSync } from "node:fs";
import { run } from "../../../../src/util/run.ts";
import { ContainerSidecar, EgressTaken, stateKey, SUBNET_ATTEMPTS } from "../../../../src/backends/shared/bundle-sidecar.ts";
import { liveStatus } from "../../../../src/backends/shared/live-status.ts";
import { bundleContainerSpec } from "../../../../src/backends/shared/bundle-container.ts";
import { Docker } from "../../../../src/backends/shared/docker.ts";
import { overlaps, parseCidr } from "../../../../src/plan/subnet.ts";
import { DEFAULTS } from "../../../../src/config/config.ts";
import { BottleError } from "../../../../src/util/errors.ts";
import { testPlan, REAL_KEY } from "../../../helpers/plan.ts";
import { fakeRunner, startsWith } from "../../../helpers/fake-runner.ts";

const TMP = mkdtempSync(join(tmpdir(), "bb-driver-"));
const ENV = { HOME: TMP, XDG_STATE_HOME: join(TMP, "state"), XDG_CACHE_HOME: join(TMP, "cache") };
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe("agentStartCmd", () => {
  // The real command with its done-file moved to a temp path and the final sleep cut short.
  const cmdAt = (done: string, script: string) => agentStartCmd(script).map((a) => a.replaceAll(START_DONE, done).replace("exec sleep infinity", "echo slept"));

  test("runs the start script once, says done, then sleeps; a restart (`resume`) runs nothing", async () => {
    const done = join(TMP, "done-ok");
    const script = `echo warned\ntouch ${join(TMP, "ran")}\n`;
    const r = await run(cmdAt(done, script));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`warned\n${START_MARKS.done}\nslept\n`);
    expect(existsSync(join(TMP, "ran"))).toBe(true);
    expect(existsSync(done)).toBe(true);
    expect((await run(cmdAt(done, "echo again\n"))).stdout).toBe("slept\n");
  });

  test("a failing script: the failed mark, the command exits, no sleep, not marked done", async () => {
    const done = join(TMP, "done-bad");
    const r = await run(cmdAt(done, "set -eu\nfalse\necho not reached\n"));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${START_MARKS.failed}\n`);
    expect(existsSync(done)).toBe(false);
  });

  test("the script is an argument, never spliced into the command text", () => {
    const cmd = agentStartCmd("echo '$(reboot)'; `x`");
    expect(cmd.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(cmd[2]).not.toContain("reboot");
    expect(cmd.at(-1)).toBe("echo '$(reboot)'; `x`");
  });
});

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

describe("DockerDriver statuses", () => {
  test("one inspect for every container of every bottle (ls with hundreds of bottles)", async () => {
    const a = await testPlan("shell", "shell-aaaaaa");
    const b = await testPlan("shell", "shell-bbbbbb");
    const { runner, calls } = fakeRunner([
      () => ({ code: 1, stdout: "/bot-bottle-shell-aaaaaa-bundle\trunning\n/bot-bottle-shell-aaaaaa-agent\trunning\n", stderr: "Error: No such object: bot-bottle-shell-bbbbbb-bundle\nError: No such object: bot-bottle-shell-bbbbbb-agent\n" }),
    ]);
    const got = await new DockerDriver({ docker: new Docker(runner), config: DEFAULTS, env: ENV }).statuses([a, b]);
    expect([...got]).toEqual([["shell-aaaaaa", "running"], ["shell-bbbbbb", "missing"]]);
    expect(calls.length).toBe(1);
  });
});

describe("internal network first (the launch path)", () => {
  const isCreate = (a: string[]) => startsWith(a, "docker", "network", "create");
  const overlap = { code: 1, stderr: "Error response from daemon: Pool overlaps with other one on this address space" };
  const sidecar = (runner: ReturnType<typeof fakeRunner>["runner"], routes: string[] = []) =>
    new ContainerSidecar(new Docker(runner), () => DEFAULTS, ENV, () => routes.map((r) => parseCidr(r)!));

  test("resolves once the internal network exists; the egress one is made after it, in the background", async () => {
    const plan = await testPlan();
    let releaseEgress!: () => void;
    const egressGate = new Promise<void>((r) => (releaseEgress = r));
    const order: string[] = [];
    const runner = async (argv: string[]) => {
      if (isCreate(argv)) {
        const internal = argv.includes("--internal");
        order.push(internal ? "internal" : "egress");
        if (!internal) await egressGate;
      }
      return { argv, code: 0, stdout: "", stderr: "" };
    };
    const { egress } = await sidecar(runner).createInternalFirst(plan);
    expect(order).toEqual(["internal", "egress"]);
    let settled = false;
    void egress.then(() => (settled = true));
    await Bun.sleep(5);
    expect(settled).toBe(false);
    releaseEgress();
    await egress;
  });

  test("a refused egress block while the caller is still busy elsewhere is not an unhandled rejection (it ended the CLI under 20 concurrent runs)", async () => {
    const plan = await testPlan();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      const egressRefused = fakeRunner([(a) => (isCreate(a) && !a.includes("--internal") ? overlap : undefined)]);
      const { egress } = await sidecar(egressRefused.runner).createInternalFirst(plan);
      // The driver first waits for the image lookups; the egress create settles meanwhile.
      await Bun.sleep(20);
      expect(unhandled).toEqual([]);
      expect(await egress.catch((e) => e)).toBeInstanceOf(EgressTaken);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  test("a refused egress block rejects with EgressTaken (the driver starts over); a refused internal one moves at once", async () => {
    const plan = await testPlan();
    const egressRefused = fakeRunner([(a) => (isCreate(a) && !a.includes("--internal") ? overlap : undefined)]);
    const { egress } = await sidecar(egressRefused.runner).createInternalFirst(plan);
    expect(await egress.catch((e) => e)).toBeInstanceOf(EgressTaken);

    const moved = await testPlan();
    const first = moved.network.cidr;
    const internalRefused = fakeRunner([
      (a) => (isCreate(a) && a.includes(first) ? overlap : undefined),
      (a) => (startsWith(a, "docker", "network", "ls") ? { stdout: "id1\n" } : undefined),
      (a) => (startsWith(a, "docker", "network", "inspect") ? { stdout: `${first} \n` } : undefined),
    ]);
    const r = await sidecar(internalRefused.runner).createInternalFirst(moved);
    await r.egress;
    expect(moved.network.cidr).not.toBe(first);
    const creates = internalRefused.calls.filter((c) => isCreate(c.argv)).map((c) => c.argv.at(-1));
    // createNetworks' way from there: the block is tried once more (both, side by side), then a free one read from the engine.
    const n = moved.network;
    expect(creates).toEqual([n.internal, n.internal, n.egress, n.internal, n.egress]);
  });

  test("a host route over the block: the full createNetworks way, both made before it resolves", async () => {
    const plan = await testPlan();
    const first = plan.network.cidr;
    const { runner, calls } = fakeRunner([]);
    await sidecar(runner, [first]).createInternalFirst(plan);
    expect(plan.network.cidr).not.toBe(first);
    expect(calls.filter((c) => isCreate(c.argv)).length).toBe(2);
  });
});

describe("DockerDriver networks", () => {
  const isCreate = (a: string[]) => startsWith(a, "docker", "network", "create");
  const isInspect = (a: string[]) => startsWith(a, "docker", "network", "inspect");
  const driver = (runner: ReturnType<typeof fakeRunner>["runner"], routes: string[] = []) =>
    new DockerDriver({ docker: new Docker(runner), config: DEFAULTS, env: ENV, routes: () => routes.map((r) => parseCidr(r)!) });

  test("both networks get explicit subnets from the pool: internal /29 then egress /29 of one /28", async () => {
    const plan = await testPlan();
    const { runner, calls } = fakeRunner([]);
    await driver(runner).createNetworks(plan);
    const creates = calls.filter((c) => isCreate(c.argv));
    const internal = creates.find((c) => c.argv.includes("--internal"))!.argv;
    const egress = creates.find((c) => !c.argv.includes("--internal"))!.argv;
    expect(internal).toEqual(expect.arrayContaining(["--subnet", plan.network.cidr, "--gateway", plan.network.gateway]));
    expect(egress).toEqual(expect.arrayContaining(["--subnet", plan.network.egressCidr, "--gateway", plan.network.egressGateway]));
    expect(internal).toContain("com.docker.network.bridge.inhibit_ipv4=true");
    expect(overlaps(parseCidr(plan.network.cidr)!, parseCidr(plan.network.egressCidr)!)).toBe(false);
    expect(calls.some((c) => isInspect(c.argv))).toBe(false); // no lookups when the first block is free
  });

  test("a refused block: gives back the half made, reads the engine's networks, moves to a free block with the proxy env", async () => {
    const plan = await testPlan();
    const first = plan.network;
    let refused = 0;
    const { runner, calls } = fakeRunner([
      (a) => (isCreate(a) && a.includes("--internal") && refused++ === 0 ? { code: 1, stderr: "Error response from daemon: Pool overlaps with other one on this address space" } : undefined),
      (a) => (startsWith(a, "docker", "network", "ls") ? { code: 0, stdout: "id1\nid2\n" } : undefined),
      (a) => (isInspect(a) ? { code: 0, stdout: `${first.cidr.replace(/\/29$/, "/28")} \n172.17.0.0/16 fd00::/64 \n` } : undefined),
    ]);
    await driver(runner).createNetworks(plan);
    const rm = calls.find((c) => startsWith(c.argv, "docker", "network", "rm"))!.argv;
    expect(rm).toEqual(["docker", "network", "rm", first.egress]);
    expect(plan.network.cidr).not.toBe(first.cidr);
    expect(overlaps(parseCidr(plan.network.cidr)!, parseCidr(first.cidr)!)).toBe(false);
    const last = calls.filter((c) => isCreate(c.argv) && c.argv.includes("--internal")).at(-1)!.argv;
    expect(last).toContain(plan.network.cidr);
    expect(plan.env.find((e) => e.name === "HTTPS_PROXY")!.value).toBe(`http://${plan.network.bundleIp}:8888`);
  });

  test("a host route over the first block moves the bottle before anything is created", async () => {
    const plan = await testPlan();
    const first = plan.network.cidr;
    const { runner, calls } = fakeRunner([]);
    await driver(runner, [first.replace(/\/29$/, "/24")]).createNetworks(plan);
    expect(calls.filter((c) => isCreate(c.argv)).length).toBe(2);
    expect(overlaps(parseCidr(plan.network.cidr)!, parseCidr(first.replace(/\/29$/, "/24"))!)).toBe(false);
  });

  test("an exhausted pool is a clear error naming the setting", async () => {
    const plan = await testPlan();
    const { runner } = fakeRunner([
      (a) => (isCreate(a) ? { code: 1, stderr: "Pool overlaps with other one on this address space" } : undefined),
      (a) => (startsWith(a, "docker", "network", "ls") ? { code: 0, stdout: "id1\n" } : undefined),
      (a) => (isInspect(a) ? { code: 0, stdout: "10.213.0.0/17 \n10.213.128.0/17 \n" } : undefined),
    ]);
    const err = (await driver(runner).createNetworks(plan).catch((e) => e)) as BottleError;
    expect(err.message).toContain("subnet pool 10.213.0.0/16 is exhausted");
    expect(err.hint).toContain("subnet_pool");
  });

  test("hostAddress (smolmachines: the VM's traffic leaves from the host stack) keeps the host's address on the bridge", async () => {
    const plan = await testPlan();
    const { runner, calls } = fakeRunner([]);
    await driver(runner).createNetworks(plan, { hostAddress: true });
    const internal = calls.find((c) => isCreate(c.argv) && c.argv.includes("--internal"))!;
    expect(internal.argv).not.toContain("com.docker.network.bridge.inhibit_ipv4=true");
  });

  test("gives up after SUBNET_ATTEMPTS when every block is refused though none looks taken (racing launches)", async () => {
    const plan = await testPlan();
    const { runner } = fakeRunner([(a) => (isCreate(a) ? { code: 1, stderr: "Pool overlaps" } : undefined)]);
    const err = await driver(runner).createNetworks(plan).catch((e) => e);
    expect((err as BottleError).message).toContain(`after ${SUBNET_ATTEMPTS} tries`);
  });

  test("another create failure is thrown as is, after giving back the other network", async () => {
    const plan = await testPlan();
    const { runner, calls } = fakeRunner([(a) => (isCreate(a) && a.includes("--internal") ? { code: 1, stderr: "permission denied" } : undefined)]);
    const err = (await driver(runner).createNetworks(plan).catch((e) => e)) as BottleError;
    expect(err.message).toContain("permission denied");
    expect(calls.some((c) => startsWith(c.argv, "docker", "network", "rm", plan.network.egress))).toBe(true);
  });
});

describe("DockerDriver lifecycle over a fake engine", () => {
  class FakeImages extends DockerDriver {
    override async images() {
      return { agent: "agent-img", bundle: "bundle-img" };
    }
  }

  test("a failure midway removes both containers, then both networks, by name", async () => {
    const plan = await testPlan("shell", "shell-fail01");
    const { runner, calls } = fakeRunner([(a) => (startsWith(a, "docker", "run") && a.includes("agent-img") ? { code: 125, stderr: "Unable to find image agent-img" } : undefined)]);
    const d = new FakeImages({ docker: new Docker(runner), config: DEFAULTS, env: ENV, routes: () => [] });
    const err = await d.up(plan, {}).catch((e) => e);
    expect(err).toBeInstanceOf(BottleError);
    // The agent's start failed (the fake engine also never reports the bundle running: both steps fail).
    expect(calls.some((c) => startsWith(c.argv, "docker", "run") && c.argv.includes("agent-img"))).toBe(true);
    expect(calls.slice(-2).map((c) => c.argv)).toEqual([
      ["docker", "rm", "--force", "--volumes", "bot-bottle-shell-fail01-agent", "bot-bottle-shell-fail01-bundle"],
      ["docker", "network", "rm", "bot-bottle-shell-fail01-int", "bot-bottle-shell-fail01-egress"],
    ]);
  });

  test("an egress block taken while the containers start: everything made is removed, and the launch starts over", async () => {
    const plan = await testPlan("shell", "shell-egr001");
    let egressCreates = 0;
    const { runner, calls } = fakeRunner([
      (a) => (startsWith(a, "docker", "network", "create") && !a.includes("--internal") && egressCreates++ === 0 ? { code: 1, stderr: "Error response from daemon: Pool overlaps with other one on this address space" } : undefined),
    ]);
    const d = new FakeImages({ docker: new Docker(runner), config: DEFAULTS, env: ENV, routes: () => [] });
    // The fake engine never reports the bundle running, so the second attempt fails too, at readiness.
    expect(await d.up(plan, {}).catch((e) => e)).toBeInstanceOf(BottleError);
    const seq = calls.map((c) => c.argv.slice(0, 3).join(" ") + (c.argv.includes("--internal") ? " (internal)" : ""));
    const firstRm = seq.indexOf("docker rm --force");
    // Attempt 1: internal alone, then egress (refused) while the containers start; then the removal.
    expect(seq.slice(0, 2)).toEqual(["docker network create (internal)", "docker network create"]);
    expect(seq.slice(firstRm, firstRm + 2)).toEqual(["docker rm --force", "docker network rm"]);
    expect(seq.slice(0, firstRm).filter((x) => x === "docker run --detach").length).toBe(2);
    // Attempt 2: both networks (createNetworks), both containers again.
    const again = seq.slice(firstRm + 2);
    expect(again.slice(0, 2).sort()).toEqual(["docker network create", "docker network create (internal)"]);
    expect(again.filter((x) => x === "docker run --detach").length).toBe(2);
    expect(egressCreates).toBe(2);
  });

  test("removeIdentity (gc) finds everything labelled with the bottle and this state", async () => {
    const { runner, calls } = fakeRunner([
      (a) => (startsWith(a, "docker", "ps") ? { stdout: "bot-bottle-shell-fail01-bundle\tshell-fail01\tcreated\n" } : undefined),
      (a) => (startsWith(a, "docker", "network", "ls") ? { stdout: "bot-bottle-shell-fail01-int\tshell-fail01\nbot-bottle-shell-fail01-egress\tshell-fail01\n" } : undefined),
    ]);
    await new DockerDriver({ docker: new Docker(runner), config: DEFAULTS, env: ENV }).removeIdentity("shell-fail01");
    expect(calls.map((c) => c.argv.slice(0, 3).join(" "))).toEqual(["docker ps -a", "docker rm --force", "docker network ls", "docker network rm"]);
    expect(calls.at(-1)!.argv).toEqual(["docker", "network", "rm", "bot-bottle-shell-fail01-int", "bot-bottle-shell-fail01-egress"]);
    expect(calls[0]!.argv).toContain(`label=bot-bottle.state=${stateKey(ENV)}`);
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
