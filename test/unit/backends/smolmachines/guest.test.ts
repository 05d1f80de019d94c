import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "bun:test";
import { AGENT_USER_ENV, asAgentUser, createOptions, execOptions, guestEnv, identityOfMachine, machineName } from "../../../../src/backends/smolmachines/guest.ts";
import { collectArgv, runAndRemoveArgv, untarAndRemoveArgv } from "../../../../src/backends/smolmachines/guest-io.ts";
import { machineNameProblem } from "../../../../src/backends/smolmachines/smolvm-argv.ts";
import { bundleSubnet } from "../../../../src/plan/subnet.ts";
import type { BottlePlan } from "../../../../src/plan/types.ts";
import { REDACTED } from "../../../../src/env/resolve.ts";
import { removeTempDirs, tempDir } from "../../../fakes/smolvm-lib/testing.ts";

afterAll(removeTempDirs);

function plan(over: Partial<BottlePlan> = {}): BottlePlan {
  const identity = over.identity ?? "claude-ab12cd";
  return {
    identity,
    workdir: "/home/node/work",
    network: { ...bundleSubnet(identity), internal: "i", egress: "e" },
    resources: {},
    env: [
      { name: "HTTPS_PROXY", value: "http://10.213.9.2:8888", secret: false, source: "generated" },
      { name: "ANTHROPIC_API_KEY", value: "sk-ant-placeholder", secret: false, source: "generated" },
      { name: "GH_TOKEN", value: "real-secret", secret: true, source: "prompt" },
      { name: "HOME", value: "/x", secret: true, source: "literal" },
    ],
    ...over,
  } as BottlePlan;
}

describe("machine names", () => {
  test.each(["claude-ab12cd", "a--b", "x---y-z", "a-b--c---d"])("%p round-trips and is a valid smolvm name", (id) => {
    const n = machineName(id);
    expect(machineNameProblem(n)).toBeNull();
    expect(identityOfMachine(n)).toBe(id);
  });
  test("distinct identities, distinct names", () => expect(machineName("a--b")).not.toBe(machineName("a-b")));
  test("other machines are not ours", () => expect(identityOfMachine("pack-1-2")).toBeNull());
});

test("guestEnv: secrets travel by name, except names that steer smolvm", () => {
  expect(guestEnv(plan())).toEqual({
    env: { HTTPS_PROXY: "http://10.213.9.2:8888", ANTHROPIC_API_KEY: "sk-ant-placeholder", HOME: "/x" },
    passEnv: ["GH_TOKEN"],
    values: { GH_TOKEN: "real-secret" },
  });
});

test("guestEnv: a redacted secret (plan read back from state) is left to the machine's stored env", () => {
  const p = plan();
  const stored = { ...p, env: p.env.map((v) => (v.secret ? { ...v, value: REDACTED } : v)) };
  expect(guestEnv(stored)).toEqual({ env: { HTTPS_PROXY: "http://10.213.9.2:8888", ANTHROPIC_API_KEY: "sk-ant-placeholder" }, passEnv: [], values: {} });
});

test("createOptions: artifact, --net, the bundle IP only, env, resources", () => {
  const p = plan({ resources: { cpus: 2, memory: "3g" } });
  expect(createOptions(p, "/c/a.smolmachine")).toEqual({
    name: "bot-bottle-claude-ab12cd",
    from: "/c/a.smolmachine",
    net: true,
    allowCidr: [`${p.network.bundleIp}/32`],
    env: guestEnv(p).env,
    passEnv: ["GH_TOKEN"],
    cpus: 2,
    memMiB: 3072,
    workdir: "/home/node/work",
  });
});

describe("execOptions", () => {
  test("root exec: the guest env, no user switch", () => {
    const o = execOptions(plan(), ["chown", "x"], { asAgent: false, workdir: "/" });
    expect(o.command).toEqual(["chown", "x"]);
    expect(o.env).toEqual(guestEnv(plan()).env);
    expect(o.passEnv).toEqual(["GH_TOKEN"]);
    expect(o.workdir).toBe("/");
  });
  test("agent exec: setpriv to node, its HOME, interactive flags", () => {
    const o = execOptions(plan(), ["claude"], { asAgent: true, interactive: true, tty: true });
    expect(o.command).toEqual(asAgentUser(["claude"]));
    expect(o.command.slice(0, 5)).toEqual(["setpriv", "--reuid=node", "--regid=node", "--init-groups", "--"]);
    expect(o.env).toMatchObject(AGENT_USER_ENV);
    expect(o.env!.HTTPS_PROXY).toBe("http://10.213.9.2:8888");
    expect([o.interactive, o.tty, o.workdir]).toEqual([true, true, "/home/node/work"]);
  });
});

test("guest-side helpers keep the exit code and clean up", async () => {
  expect(runAndRemoveArgv("/tmp/s.sh")).toEqual(["sh", "-c", 'sh "$1"; rc=$?; rm -f "$1"; exit $rc', "sh", "/tmp/s.sh"]);
  const dir = tempDir("gio-");
  const script = `${dir}/s.sh`;
  await Bun.write(script, "exit 7\n");
  const p = Bun.spawnSync(runAndRemoveArgv(script));
  expect(p.exitCode).toBe(7);
  expect(require("node:fs").existsSync(script)).toBe(false);
  expect(untarAndRemoveArgv("/tmp/c.tar", "/home/node/work").slice(-2)).toEqual(["/tmp/c.tar", "/home/node/work"]);
});

describe("collectArgv (smolvm relays text: the output travels base64)", () => {
  test("bytes and the exit code survive, stdin comes from the copied file", () => {
    const dir = mkdtempSync(join(tmpdir(), "bb-collect-"));
    const input = `${dir}/in`;
    writeFileSync(input, "\x00\xff binary\n", "latin1");
    const p = Bun.spawnSync(collectArgv(input, ["sh", "-c", "cat; exit 3"]), { stdout: "pipe" });
    expect(p.exitCode).toBe(3);
    expect(Buffer.from(p.stdout.toString(), "base64").toString("latin1")).toBe("\x00\xff binary\n");
    expect(existsSync(input)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
    const none = Bun.spawnSync(collectArgv(null, ["echo", "hi"]), { stdout: "pipe" });
    expect(Buffer.from(none.stdout.toString(), "base64").toString()).toBe("hi\n");
  });
});
