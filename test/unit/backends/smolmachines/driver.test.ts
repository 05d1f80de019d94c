// The driver's teardown, status and gc listing against a recording Runner
// (no docker, no smolvm): order and idempotence of what it asks for.
import { describe, expect, test } from "bun:test";
import { SmolmachinesDriver, machineStateWord } from "../../../../src/backends/smolmachines/driver.ts";
import { BottleError } from "../../../../src/util/errors.ts";
import type { Runner } from "../../../../src/util/run.ts";
import { bundleSubnet } from "../../../../src/plan/subnet.ts";
import type { BottlePlan } from "../../../../src/plan/types.ts";

const ID = "box-a--b1";
const MACHINE = "bot-bottle-box-a-_b1";
const plan = {
  identity: ID,
  workdir: "/home/node/work",
  env: [],
  resources: {},
  network: { ...bundleSubnet(ID), internal: `bot-bottle-${ID}-int`, egress: `bot-bottle-${ID}-egress` },
  containers: { bundle: `bot-bottle-${ID}-bundle`, agent: `bot-bottle-${ID}-agent` },
} as unknown as BottlePlan;

function driver(machines: { name: string; state: string }[] | "no-smolvm", bundleState = "running") {
  const calls: string[] = [];
  const runner: Runner = async (argv) => {
    const line = argv.join(" ");
    calls.push(line);
    const ok = (stdout = "") => ({ argv, code: 0, stdout, stderr: "" });
    if (argv[0] === "smolvm") {
      if (machines === "no-smolvm") throw new BottleError("INTERNAL", "cannot start smolvm: not found");
      if (line === "smolvm --version") return ok("smolvm 0.8.2\n");
      if (line === "smolvm machine ls --json") return ok(JSON.stringify(machines));
      return ok();
    }
    if (line.startsWith("docker ps")) return ok(`bot-bottle-${ID}-bundle\t${ID}\t${bundleState}\n`);
    if (line.startsWith("docker network ls")) return ok(`bot-bottle-${ID}-int\t${ID}\nbot-bottle-${ID}-egress\t${ID}\n`);
    if (line.startsWith("docker inspect")) return ok(`/bot-bottle-${ID}-bundle\t${bundleState}\n`);
    return ok();
  };
  return { calls, d: new SmolmachinesDriver({ runner, env: { ...process.env, BOT_BOTTLE_SMOLVM: "smolvm" }, config: {} as any }) };
}

describe("remove", () => {
  test("reverse order: machine stop, delete -f, bundle container, networks", async () => {
    const { calls, d } = driver([{ name: MACHINE, state: "running" }]);
    await d.remove(plan);
    const smolvm = calls.filter((c) => c.startsWith("smolvm machine") && !c.includes(" ls "));
    expect(smolvm).toEqual([`smolvm machine stop --name ${MACHINE}`, `smolvm machine delete ${MACHINE} -f`]);
    const order = [`smolvm machine delete`, "docker rm", "docker network rm"].map((p) => calls.findIndex((c) => c.startsWith(p)));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test("a stopped machine is deleted without a stop", async () => {
    const { calls, d } = driver([{ name: MACHINE, state: "stopped" }]);
    await d.remove(plan);
    expect(calls.some((c) => c.startsWith("smolvm machine stop"))).toBe(false);
    expect(calls).toContain(`smolvm machine delete ${MACHINE} -f`);
  });

  test("idempotent: no machine, or no smolvm at all, still removes the docker side", async () => {
    for (const m of [[], "no-smolvm"] as const) {
      const { calls, d } = driver(m as any);
      await d.remove(plan);
      expect(calls.some((c) => c.startsWith("smolvm machine delete"))).toBe(false);
      expect(calls.some((c) => c.startsWith("docker network rm"))).toBe(true);
    }
  });
});

test.each([
  ["running", "running", "running"],
  ["stopped", "exited", "stopped"],
  ["created", "exited", "stopped"],
  ["running", "exited", "partial"],
  ["unreachable", "running", "partial"],
] as const)("status: machine %s + bundle %s → %s", async (machine, bundle, want) => {
  const { d } = driver([{ name: MACHINE, state: machine }], bundle);
  expect(await d.status(plan)).toBe(want);
});

test("machineStateWord", () => {
  expect(["running", "stopped", "created", "failed", "unreachable", "missing"].map((s) => machineStateWord(s as any))).toEqual(["running", "exited", "exited", "exited", "unreachable", undefined]);
});

test("listIdentities: our machines only, names mapped back", async () => {
  const { d } = driver([{ name: MACHINE, state: "running" }, { name: "someone-elses", state: "running" }]);
  expect(await d.listIdentities()).toEqual([ID]);
  expect(await driver("no-smolvm").d.listIdentities()).toEqual([]);
});
