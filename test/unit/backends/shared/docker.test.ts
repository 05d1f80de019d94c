import { describe, expect, test } from "bun:test";
import { Docker, isSubnetOverlap, normalizeArch, parseRows } from "../../../../src/backends/shared/docker.ts";
import { BottleError } from "../../../../src/util/errors.ts";
import { fakeRunner, startsWith } from "../../../helpers/fake-runner.ts";

const labels = { identity: "x", state: "s", role: "internal" as const };

describe("pure helpers", () => {
  test.each([
    ["x86_64\n", "x64"],
    ["aarch64", "arm64"],
    ["amd64", "x64"],
    ["arm64", "arm64"],
    ["riscv64", "riscv64"],
  ])("normalizeArch(%p) = %p", (a, want) => expect(normalizeArch(a)).toBe(want));

  test("parseRows skips blanks and splits tabs", () => {
    expect(parseRows("a\tb\tc\n\n  d\te \n")).toEqual([["a", "b", "c"], ["d", "e"]]);
  });

  test.each([
    ["Error response from daemon: Pool overlaps with other one on this address space", true],
    ["invalid pool request: Pool overlaps", true],
    ["Error response from daemon: network with name x already exists", false],
  ])("isSubnetOverlap(%p) = %p", (s, want) => expect(isSubnetOverlap(s)).toBe(want));
});

describe("Docker wrapper", () => {
  test("execToFile: stdout into the file, stdin only when given, and the caller's abort signal reaches the runner", async () => {
    const { runner, calls } = fakeRunner([() => ({ code: 0, stderr: "e" })]);
    const ac = new AbortController();
    expect(await new Docker(runner).execToFile({ container: "c", argv: ["git", "bundle"], user: "agent", workdir: "/" }, "/out/x", undefined, ac.signal)).toEqual({ code: 0, stderr: "e" });
    expect(calls[0]!.argv).toEqual(["docker", "exec", "--user", "agent", "--workdir", "/", "c", "git", "bundle"]);
    expect(calls[0]!.opts).toEqual({ stdoutFile: "/out/x", stdin: undefined, signal: ac.signal });
    await new Docker(runner).execToFile({ container: "c", argv: ["tar"], user: "agent", workdir: "/" }, "/out/y", new Uint8Array([1]));
    expect(calls[1]!.argv).toContain("--interactive");
    expect(calls[1]!.opts).toEqual({ stdoutFile: "/out/y", stdin: new Uint8Array([1]) });
  });
  test("networkCreate reports an overlapping subnet instead of throwing", async () => {
    const { runner } = fakeRunner([() => ({ code: 1, stderr: "Pool overlaps with other one on this address space" })]);
    expect(await new Docker(runner).networkCreate({ name: "n", internal: true, subnet: "10.0.0.0/24", labels })).toBe("overlap");
  });

  test("networkCreate throws a DOCKER error on anything else", async () => {
    const { runner } = fakeRunner([() => ({ code: 1, stderr: "permission denied" })]);
    const err = await new Docker(runner).networkCreate({ name: "n", internal: true, labels }).catch((e) => e);
    expect(err).toBeInstanceOf(BottleError);
    expect((err as BottleError).code).toBe("DOCKER");
  });

  test("create passes secret values through the CLI environment, not argv", async () => {
    const { runner, calls } = fakeRunner();
    await new Docker(runner).create({ name: "b", image: "i", labels, network: "n", passEnv: ["BOT_BOTTLE_CRED_0"] }, { BOT_BOTTLE_CRED_0: "sk-real" });
    expect(calls[0]!.argv).toContain("BOT_BOTTLE_CRED_0");
    expect(calls[0]!.argv.join(" ")).not.toContain("sk-real");
    expect(calls[0]!.opts?.env).toEqual({ BOT_BOTTLE_CRED_0: "sk-real" });
  });

  test("rm and networkRm are idempotent for missing objects", async () => {
    const { runner, calls } = fakeRunner([
      (a) => (startsWith(a, "docker", "rm") ? { code: 1, stderr: "Error: No such container: c" } : undefined),
      (a) => (startsWith(a, "docker", "network", "rm") ? { code: 1, stderr: "Error: No such network: n" } : undefined),
    ]);
    const d = new Docker(runner);
    await d.rm(["c"]);
    await d.networkRm(["n"]);
    await d.rm([]);
    expect(calls.map((c) => c.argv.slice(0, 3))).toEqual([["docker", "rm", "--force"], ["docker", "network", "rm"]]);
  });

  test("rm and networkRm take many names in one call; only a failure other than a missing object is an error", async () => {
    const missingAndGone = "Error response from daemon: network a not found\nError response from daemon: network b not found\nexit status 1\n";
    const { runner, calls } = fakeRunner([(a) => (startsWith(a, "docker", "network", "rm") ? { code: 1, stderr: missingAndGone } : undefined)]);
    await new Docker(runner).networkRm(["a", "b"]);
    expect(calls.map((c) => c.argv)).toEqual([["docker", "network", "rm", "a", "b"]]);
    const inUse = "Error response from daemon: network a not found\nError response from daemon: error while removing network: network b id x has active endpoints\n";
    const busy = fakeRunner([(a) => (startsWith(a, "docker", "network", "rm") ? { code: 1, stderr: inUse } : undefined)]);
    const e = (await new Docker(busy.runner).networkRm(["a", "b"]).catch((x) => x)) as BottleError;
    expect(e.message).toContain("active endpoints");
    expect(e.message).not.toContain("not found");
    const rmBusy = fakeRunner([(a) => (startsWith(a, "docker", "rm") ? { code: 1, stderr: "Error: No such container: a\nError response from daemon: cannot remove b: device busy\n" } : undefined)]);
    expect(((await new Docker(rmBusy.runner).rm(["a", "b"]).catch((x) => x)) as BottleError).message).toContain("device busy");
  });

  test("states: an engine that cannot be asked is an error, not an empty answer", async () => {
    const { runner } = fakeRunner([() => ({ code: 1, stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" })]);
    expect(((await new Docker(runner).states(["a"]).catch((e) => e)) as BottleError).code).toBe("DOCKER");
  });

  test("networkSubnets lists every network's subnets (not only ours)", async () => {
    const { runner, calls } = fakeRunner([
      (a) => (startsWith(a, "docker", "network", "ls") ? { stdout: "id1\nid2\n" } : undefined),
      (a) => (startsWith(a, "docker", "network", "inspect") ? { code: 1, stdout: "172.17.0.0/16 \n10.213.0.0/29 fd00::/64 \n", stderr: "Error: No such network: id3" } : undefined),
    ]);
    expect(await new Docker(runner).networkSubnets()).toEqual(["172.17.0.0/16", "10.213.0.0/29", "fd00::/64"]);
    expect(calls[1]!.argv.slice(-2)).toEqual(["id1", "id2"]);
    expect(await new Docker(fakeRunner().runner).networkSubnets()).toEqual([]);
  });

  test("states maps names (without docker's leading slash) to status; missing ones are absent", async () => {
    const { runner } = fakeRunner([() => ({ code: 1, stdout: "/a\trunning\n", stderr: "Error: No such object: b" })]);
    const s = await new Docker(runner).states(["a", "b"]);
    expect([...s]).toEqual([["a", "running"]]);
  });

  test("states throws when docker cannot answer, so a bottle is unknown rather than missing", async () => {
    const { runner } = fakeRunner([() => ({ code: 1, stderr: "Cannot connect to the Docker daemon at unix:///nonexistent. Is the docker daemon running?" })]);
    await expect(new Docker(runner).states(["a"])).rejects.toThrow(/cannot ask docker about a: Cannot connect/);
  });

  test("containers and networks parse label columns", async () => {
    const { runner } = fakeRunner([
      (a) => (startsWith(a, "docker", "ps") ? { stdout: "c1\tid1\trunning\nc2\tid2\texited\n" } : undefined),
      (a) => (startsWith(a, "docker", "network", "ls") ? { stdout: "n1\tid1\n" } : undefined),
    ]);
    const d = new Docker(runner);
    expect(await d.containers(["x"])).toEqual([
      { name: "c1", identity: "id1", state: "running" },
      { name: "c2", identity: "id2", state: "exited" },
    ]);
    expect(await d.networks(["x"])).toEqual([{ name: "n1", identity: "id1" }]);
  });

  test("execOk feeds stdin with -i and throws on failure", async () => {
    const { runner, calls } = fakeRunner([() => ({ code: 3, stderr: "boom" })]);
    const err = await new Docker(runner).execOk({ container: "c", argv: ["sh", "-s"], user: "root" }, "echo hi").catch((e) => e);
    expect(calls[0]!.argv).toEqual(["docker", "exec", "--interactive", "--user", "root", "c", "sh", "-s"]);
    expect(calls[0]!.opts?.stdin).toBe("echo hi");
    expect((err as BottleError).message).toContain("boom");
  });

  test("arch asks docker info and normalises", async () => {
    const { runner } = fakeRunner([() => ({ stdout: "aarch64\n" })]);
    expect(await new Docker(runner).arch()).toBe("arm64");
  });

  test("pruneImages returns docker's summary", async () => {
    const { runner, calls } = fakeRunner([() => ({ stdout: "Deleted Images:\nuntagged: bot-bottle/bundle:1\n\nTotal reclaimed space: 110MB\n" })]);
    expect(await new Docker(runner).pruneImages("1h")).toBe("Total reclaimed space: 110MB");
    expect(calls[0]!.argv).toContain("until=1h");
  });

  test("imageId is null when the image is missing", async () => {
    const { runner } = fakeRunner([() => ({ code: 1, stderr: "No such image" })]);
    expect(await new Docker(runner).imageId("nope")).toBeNull();
  });

  test("build failure carries the last lines of output", async () => {
    const d = new Docker(fakeRunner().runner, async () => ({ code: 1, tail: ["Step 4/8", "E: unable to fetch"] }));
    const err = await d.build({ tag: "t", contextDir: "/c" }).catch((e) => e);
    expect((err as BottleError).message).toContain("E: unable to fetch");
    expect((err as BottleError).hint).toContain("BOT_BOTTLE_BUILD_CA");
  });
});
