import { describe, expect, test } from "bun:test";
import {
  checkMachineName,
  cpArgv,
  createArgv,
  deleteArgv,
  execArgv,
  fromHonoursAllowCidr,
  isSupportedVersion,
  lsArgv,
  machineNameProblem,
  memoryToMiB,
  packArtifactPath,
  packCreateArgv,
  parseSmolvmVersion,
  startArgv,
  statusArgv,
  stopArgv,
  usesNameFlag,
  versionArgv,
  type SmolvmVersion,
} from "../../../../src/backends/smolmachines/smolvm-argv.ts";
import { BottleError } from "../../../../src/util/errors.ts";

const V = (s: string) => parseSmolvmVersion(`smolvm ${s}`)!;
const V082 = V("0.8.2");
const V110 = V("1.1.0");

describe("parseSmolvmVersion", () => {
  test.each([
    ["smolvm 0.8.2\n", { major: 0, minor: 8, patch: 2, raw: "0.8.2" }],
    ["smolvm 1.9.3", { major: 1, minor: 9, patch: 3, raw: "1.9.3" }],
    ["smolvm v1.1.0-rc1", { major: 1, minor: 1, patch: 0, raw: "1.1.0" }],
    ["warning: x\nsmolvm 0.8.0", { major: 0, minor: 8, patch: 0, raw: "0.8.0" }],
  ])("%p", (out, want) => expect(parseSmolvmVersion(out)).toEqual(want));

  test.each(["", "smolvm", "other 0.8.2", "smolvm 0.8"])("unrecognised %p", (out) => expect(parseSmolvmVersion(out)).toBeNull());
});

describe("version rules", () => {
  test.each([
    ["0.7.9", false, false, false],
    ["0.8.0", true, false, false],
    ["0.8.2", true, false, false],
    ["1.0.4", true, false, false],
    ["1.1.0", true, true, false],
    ["1.7.7", true, true, false],
    ["1.8.0", true, true, true],
    ["2.0.0", true, true, true],
  ])("%s: supported=%p nameFlag=%p fromAllowCidr=%p", (v, supported, flag, cidr) => {
    expect(isSupportedVersion(V(v))).toBe(supported);
    expect(usesNameFlag(V(v))).toBe(flag);
    expect(fromHonoursAllowCidr(V(v))).toBe(cidr);
  });
});

describe("machine names (smolvm's validate_vm_name)", () => {
  test.each(["a", "test", "my-resource", "my_resource", "123test", "TEST_RESOURCE", "bot-bottle-claude-ab12cd", "x".repeat(128)])("valid %p", (n) =>
    expect(machineNameProblem(n)).toBeNull(),
  );
  test.each([
    ["", "cannot be empty"],
    ["-test", "must start"],
    ["_test", "must start"],
    ["test-", "cannot end with a hyphen"],
    ["test--name", "consecutive hyphens"],
    ["test/name", "invalid character: '/'"],
    ["test name", "invalid character: ' '"],
    ["test.name", "invalid character: '.'"],
    ["x".repeat(129), "too long"],
  ])("invalid %p", (n, why) => {
    expect(machineNameProblem(n)).toContain(why);
    expect(() => checkMachineName(n)).toThrow(BottleError);
  });
});

describe("createArgv", () => {
  const base = { name: "bot-bottle-x", from: "/c/k.smolmachine.smolmachine" };
  test("0.8.x: positional NAME, every flag in clap's spelling", () => {
    expect(
      createArgv("smolvm", V082, {
        ...base,
        net: true,
        allowCidr: ["10.213.7.2/32"],
        env: { A: "1", B: "x=y" },
        passEnv: ["SECRET"],
        cpus: 1.5,
        memMiB: 2048,
        volumes: ["/h:/g:ro"],
        workdir: "/home/node/work",
      }),
    ).toEqual([
      "smolvm", "machine", "create", "bot-bottle-x", "--from", "/c/k.smolmachine.smolmachine", "--net",
      "--allow-cidr", "10.213.7.2/32", "-e", "A=1", "-e", "B=x=y", "-e", "SECRET",
      "--cpus", "2", "--mem", "2048", "-v", "/h:/g:ro", "-w", "/home/node/work",
    ]);
  });
  test("1.1+: --name", () => {
    expect(createArgv("smolvm", V110, base)).toEqual(["smolvm", "machine", "create", "--name", "bot-bottle-x", "--from", base.from]);
  });
  test("-I for an image", () => {
    expect(createArgv("/opt/smolvm", V082, { name: "m", image: "alpine" })).toEqual(["/opt/smolvm", "machine", "create", "m", "-I", "alpine"]);
  });
  test.each([
    [{ name: "m", from: "a", image: "b" }, "exclusive"],
    [{ name: "bad--name" }, "invalid smolvm machine name"],
    [{ name: "m", env: { "BAD-NAME": "1" } }, "invalid env name"],
  ])("rejects %p", (o, msg) => expect(() => createArgv("smolvm", V082, o)).toThrow(msg));
  test("cpus are clamped to smolvm's whole u8", () => {
    expect(createArgv("s", V082, { name: "m", cpus: 0.1 })).toContain("1");
    expect(createArgv("s", V082, { name: "m", cpus: 999 }).slice(-1)).toEqual(["255"]);
  });
});

describe("the other commands", () => {
  const cases: [string, string[], string[]][] = [
    ["start", startArgv("smolvm", "m1"), ["smolvm", "machine", "start", "--name", "m1"]],
    ["stop", stopArgv("smolvm", "m1"), ["smolvm", "machine", "stop", "--name", "m1"]],
    ["status", statusArgv("smolvm", "m1"), ["smolvm", "machine", "status", "--name", "m1"]],
    ["delete 0.8", deleteArgv("smolvm", V082, "m1"), ["smolvm", "machine", "delete", "m1", "-f"]],
    ["delete 1.1", deleteArgv("smolvm", V110, "m1"), ["smolvm", "machine", "delete", "--name", "m1", "-f"]],
    ["ls", lsArgv("smolvm"), ["smolvm", "machine", "ls", "--json"]],
    ["version", versionArgv("smolvm"), ["smolvm", "--version"]],
    ["cp", cpArgv("smolvm", "m1", "/tmp/a b", "/etc/x"), ["smolvm", "machine", "cp", "/tmp/a b", "m1:/etc/x"]],
    ["pack", packCreateArgv("smolvm", "localhost:5000/bot-bottle/agent:k", "/c/k.smolmachine"), ["smolvm", "pack", "create", "--image", "localhost:5000/bot-bottle/agent:k", "-o", "/c/k.smolmachine"]],
  ];
  test.each(cases)("%s", (_n, got, want) => expect(got).toEqual(want));

  test("exec: --name (no -n), env then flags, then -- CMD", () => {
    expect(
      execArgv("smolvm", { name: "m1", command: ["sh", "-c", "echo $A"], env: { A: "1" }, passEnv: ["S"], workdir: "/w", interactive: true, tty: true }),
    ).toEqual(["smolvm", "machine", "exec", "--name", "m1", "-e", "A=1", "-e", "S", "-w", "/w", "-i", "-t", "--", "sh", "-c", "echo $A"]);
    expect(execArgv("smolvm", { name: "m1", command: ["true"] })).toEqual(["smolvm", "machine", "exec", "--name", "m1", "--", "true"]);
    expect(() => execArgv("smolvm", { name: "m1", command: [] })).toThrow("needs a command");
  });

  test("cp refuses what smolvm would misread", () => {
    expect(() => cpArgv("smolvm", "m", "/tmp/a:b", "/x")).toThrow("machine:path");
    expect(() => cpArgv("smolvm", "m", "/tmp/a", "relative")).toThrow("absolute");
  });

  test("pack writes the artifact next to OUT", () => expect(packArtifactPath("/c/k.smolmachine")).toBe("/c/k.smolmachine.smolmachine"));
});

describe("memoryToMiB", () => {
  test.each([
    ["4g", 4096],
    ["1.5G", 1536],
    ["512m", 512],
    ["1000k", 1],
    ["2048K", 2],
  ])("%s → %d", (m, want) => expect(memoryToMiB(m)).toBe(want));
  test("bad size", () => expect(() => memoryToMiB("4gb")).toThrow("invalid memory size"));
});

test("usesNameFlag is what picks the dialect everywhere", () => {
  const v: SmolvmVersion = { major: 1, minor: 1, patch: 0, raw: "1.1.0" };
  expect(createArgv("s", v, { name: "m" })).toContain("--name");
  expect(deleteArgv("s", v, "m")).toContain("--name");
});
