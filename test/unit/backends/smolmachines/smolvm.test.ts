// The Smolvm wrapper: against a recording Runner (argv, env, error mapping)
// and, as a contract test, against the fake smolvm binary in both dialects.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Smolvm } from "../../../../src/backends/smolmachines/smolvm.ts";
import { run, type RunOptions, type RunResult, type Runner } from "../../../../src/util/run.ts";
import { BottleError } from "../../../../src/util/errors.ts";
import { fakeSmolvmEnv, machinesJson, smolvmCalls, verbOf, removeTempDirs, tempDir } from "../../../fakes/smolvm-lib/testing.ts";

afterAll(removeTempDirs);

function recorder(answers: Record<string, Partial<RunResult>>) {
  const calls: { argv: string[]; opts: RunOptions }[] = [];
  const runner: Runner = async (argv, opts = {}) => {
    calls.push({ argv, opts });
    const key = Object.keys(answers).find((k) => argv.join(" ").includes(k));
    return { argv, code: 0, stdout: "", stderr: "", ...(key ? answers[key] : {}) };
  };
  return { calls, runner };
}

describe("with a recording runner", () => {
  test("detects the version once and speaks its dialect", async () => {
    const r = recorder({ "--version": { stdout: "smolvm 1.1.3\n" } });
    const s = new Smolvm({ runner: r.runner, bin: "smolvm" });
    await s.create({ name: "m", from: "/a" });
    await s.delete("m");
    expect(r.calls.map((c) => c.argv.join(" "))).toEqual([
      "smolvm --version",
      "smolvm machine create --name m --from /a",
      "smolvm machine delete --name m -f",
    ]);
  });

  test("secret values travel in the environment, names in argv", async () => {
    const r = recorder({ "--version": { stdout: "smolvm 0.8.2" } });
    const s = new Smolvm({ runner: r.runner });
    await s.execOk({ name: "m", command: ["env"], passEnv: ["TOKEN"] }, { TOKEN: "s3cret" });
    const exec = r.calls.at(-1)!;
    expect(exec.argv).toEqual(["smolvm", "machine", "exec", "--name", "m", "-e", "TOKEN", "--", "env"]);
    expect(exec.opts.env).toEqual({ TOKEN: "s3cret" });
    expect(exec.argv.join(" ")).not.toContain("s3cret");
  });

  test.each([
    ["smolvm 0.7.1", "too old"],
    ["something else", "cannot read the smolvm version"],
  ])("version %p is refused", async (out, msg) => {
    const s = new Smolvm({ runner: recorder({ "--version": { stdout: out } }).runner });
    await expect(s.version()).rejects.toThrow(msg);
  });

  test("no smolvm at all: SMOLVM error pointing at doctor", async () => {
    const s = new Smolvm({ runner: run, bin: "/nonexistent/smolvm" });
    const err = await s.version().catch((e) => e);
    expect([err.code, err.message, err.hint]).toEqual(["SMOLVM", expect.stringContaining("not installed"), expect.stringContaining("doctor")]);
  });

  test("failures become BottleErrors with hints", async () => {
    const r = recorder({ "--version": { stdout: "smolvm 0.8.2" }, "machine start": { code: 1, stderr: "Error: kvm not available: KVM not available." } });
    const err = await new Smolvm({ runner: r.runner }).start("m").catch((e) => e);
    expect(err).toBeInstanceOf(BottleError);
    expect(err.code).toBe("SMOLVM");
    expect(err.hint).toContain("modprobe");
  });

  test("delete of a machine that is already gone succeeds", async () => {
    const r = recorder({ "--version": { stdout: "smolvm 0.8.2" }, "machine delete": { code: 1, stderr: "Error: vm not found: m\n" } });
    await new Smolvm({ runner: r.runner }).delete("m");
  });

  test("state reads machine ls --json", async () => {
    const r = recorder({ "machine ls": { stdout: JSON.stringify([{ name: "m", state: "stopped" }]) } });
    const s = new Smolvm({ runner: r.runner });
    expect(await s.state("m")).toBe("stopped");
    expect(await s.state("n")).toBe("missing");
  });
});

describe.each(["0.8.2", "1.1.0"])("contract with the fake smolvm %s", (version) => {
  const setup = () => {
    const fake = fakeSmolvmEnv({ FAKE_SMOLVM_VERSION: version });
    const runner: Runner = (argv, opts = {}) => run(argv, { ...opts, env: { ...fake.env, ...opts.env } });
    return { fake, s: new Smolvm({ runner }) };
  };

  test("create → start → exec → cp → stop → delete", async () => {
    const { fake, s } = setup();
    const art = join(fake.stateDir, "a.smolmachine");
    writeFileSync(art, JSON.stringify({ format: "fake-smolmachine/1", image: "localhost:1/x:y", imageId: null, cpus: 4, mem: 8192 }));
    await s.create({ name: "bot-bottle-x", from: art, net: true, allowCidr: ["10.213.1.2/32"], env: { A: "1" }, passEnv: ["S"], memMiB: 1024 }, { S: "v" });
    expect(machinesJson(fake.stateDir)["bot-bottle-x"]).toMatchObject({
      state: "created",
      mem: 1024,
      network: true,
      env: [["A", "1"], ["S", "v"]],
      // 0.8.x (and up to 1.7) drop --allow-cidr for --from machines.
      allowed_cidrs: null,
    });
    expect(await s.state("bot-bottle-x")).toBe("created");
    await expect(s.execOk({ name: "bot-bottle-x", command: ["true"] })).rejects.toThrow("is not running");
    await s.start("bot-bottle-x");
    expect(await s.state("bot-bottle-x")).toBe("running");
    await s.execOk({ name: "bot-bottle-x", command: ["true"], env: { A: "1" } });
    await s.copyIn("bot-bottle-x", art, "/tmp/a");
    await s.stop("bot-bottle-x");
    await s.stop("bot-bottle-x"); // already stopped: fine
    await s.delete("bot-bottle-x");
    await s.delete("bot-bottle-x"); // already gone: fine
    expect(await s.list()).toEqual([]);
    const verbs = smolvmCalls(fake.stateDir).map((c) => verbOf(c.argv));
    expect(verbs.filter((v) => v === "--version")).toHaveLength(1);
  });

  test("unknown machine and bad names", async () => {
    const { s } = setup();
    await expect(s.start("nope")).rejects.toThrow("vm not found: nope");
    await expect(s.create({ name: "a_b", from: "/does/not/exist" })).rejects.toThrow("file not found");
  });
});

test("the fake enforces the real CLI's rules", async () => {
  const fake = fakeSmolvmEnv();
  const sh = (args: string[], extra: Record<string, string> = {}) => run(["smolvm", ...args], { env: { ...fake.env, ...extra } });
  expect((await sh(["machine", "create", "--name", "m"])).code).toBe(2); // 0.8: positional NAME
  expect((await sh(["machine", "create", "m"], { FAKE_SMOLVM_VERSION: "1.1.0" })).code).toBe(2); // 1.1: --name
  const both = await sh(["machine", "create", "m", "--from", "a", "-I", "b"]);
  expect([both.code, both.stderr]).toEqual([2, expect.stringContaining("cannot be used with")]);
  expect((await sh(["machine", "create", "m", "-I", "alpine"])).stdout).toStartWith("Created machine: m\n");
  // Without -f, delete asks on stdin; with no answer it prints Cancelled and keeps the machine.
  const asked = await sh(["machine", "delete", "m"]);
  expect([asked.code, asked.stdout.trim(), asked.stderr]).toEqual([0, "Cancelled", "Delete machine 'm'? [y/N] "]);
  expect(machinesJson(fake.stateDir).m).toBeDefined();
  const noKvm = await sh(["machine", "start", "--name", "m"], { FAKE_SMOLVM_NO_KVM: "1" });
  expect([noKvm.code, noKvm.stderr]).toEqual([1, expect.stringMatching(/^Error: agent operation failed: start machine: kvm not available/)]);
  expect((await sh(["machine", "exec", "--name", "m", "--", "true"])).stderr).toContain("is not running");
  expect((await sh(["machine", "exec", "-n", "m", "--", "true"])).code).toBe(2); // exec has no -n
  await sh(["machine", "start", "--name", "m"]);
  expect((await sh(["machine", "exec", "--name", "m", "--", "false"], { FAKE_SMOLVM_EXEC_EXIT: "3" })).code).toBe(3);
  const packed = await sh(["pack", "create", "--image", "localhost:1/x:y"]);
  expect(packed.code).toBe(2); // -o is required
});
