import { describe, expect, test } from "bun:test";
import {
  containerCreateRequest,
  containerInspectRequest,
  containerStartRequest,
  Demuxer,
  execCreateRequest,
  execInspectRequest,
  execStartRequest,
  imageInspectRequest,
  infoRequest,
  memoryBytes,
  networkConnectRequest,
  networkCreateRequest,
} from "../../../../src/backends/shared/engine-requests.ts";
import { createArgv, type ContainerSpec } from "../../../../src/backends/shared/docker-argv.ts";
import { muxFrame } from "../../../helpers/engine-frame.ts";

const labels = { identity: "sh-abc", state: "k1", role: "agent" as const };
const LABELS = { "bot-bottle.identity": "sh-abc", "bot-bottle.state": "k1", "bot-bottle.role": "agent" };

describe("engine requests", () => {
  test("info, image, container and exec look-ups; names are escaped into the path", () => {
    expect(infoRequest()).toEqual({ method: "GET", path: "/info" });
    expect(imageInspectRequest("bot-bottle/shell:abc")).toEqual({ method: "GET", path: "/images/bot-bottle%2Fshell%3Aabc/json" });
    expect(containerInspectRequest("bb-x")).toEqual({ method: "GET", path: "/containers/bb-x/json" });
    expect(containerStartRequest("a/../b")).toEqual({ method: "POST", path: "/containers/a%2F..%2Fb/start" });
    expect(execStartRequest("e1")).toEqual({ method: "POST", path: "/exec/e1/start", body: { Detach: false, Tty: false } });
    expect(execInspectRequest("e1")).toEqual({ method: "GET", path: "/exec/e1/json" });
  });

  test("network create: internal, explicit subnet and gateway, no host address, labels", () => {
    const r = networkCreateRequest({ name: "bb-i", internal: true, subnet: "10.213.0.0/29", gateway: "10.213.0.1", noHostAddress: true, labels: { ...labels, role: "internal" } });
    expect(r).toEqual({
      method: "POST",
      path: "/networks/create",
      body: {
        Name: "bb-i",
        Driver: "bridge",
        Internal: true,
        CheckDuplicate: true,
        Labels: { ...LABELS, "bot-bottle.role": "internal" },
        IPAM: { Driver: "default", Config: [{ Subnet: "10.213.0.0/29", Gateway: "10.213.0.1" }] },
        Options: { "com.docker.network.bridge.inhibit_ipv4": "true" },
      },
    });
    const egress = networkCreateRequest({ name: "bb-e", internal: false, labels: { ...labels, role: "egress" } }).body as Record<string, unknown>;
    expect(egress.Internal).toBe(false);
    expect(egress.IPAM).toBeUndefined();
    expect(egress.Options).toBeUndefined();
  });

  test("network connect pins the address only when given", () => {
    expect(networkConnectRequest("n", "c", "10.0.0.3")).toEqual({ method: "POST", path: "/networks/n/connect", body: { Container: "c", EndpointConfig: { IPAMConfig: { IPv4Address: "10.0.0.3" } } } });
    expect(networkConnectRequest("n", "c").body).toEqual({ Container: "c" });
  });

  const spec: ContainerSpec = {
    name: "bb-sh-abc-agent",
    image: "bot-bottle/shell:1",
    labels,
    network: "bb-i",
    ip: "10.213.0.3",
    hostname: "sh-abc",
    env: { HTTPS_PROXY: "http://10.213.0.2:8888" },
    passEnv: ["API_KEY", "UNSET"],
    volumes: ["/h/bundle:/var/lib/bot-bottle", "/h/key:/ssh/k:ro"],
    user: "1000:1000",
    workdir: "/home/node/work",
    capAdd: ["CHOWN"],
    cpus: 1.5,
    memory: "4g",
    init: true,
    cmd: ["sleep", "infinity"],
  };

  test("container create says what createArgv says: walls, limits, network, env", () => {
    const r = containerCreateRequest(spec, { API_KEY: "sk-real" });
    expect(r.method).toBe("POST");
    expect(r.path).toBe("/containers/create?name=bb-sh-abc-agent");
    expect(r.body).toEqual({
      Image: "bot-bottle/shell:1",
      Labels: LABELS,
      Env: ["HTTPS_PROXY=http://10.213.0.2:8888", "API_KEY=sk-real"],
      HostConfig: {
        NetworkMode: "bb-i",
        CapDrop: ["ALL"],
        CapAdd: ["CHOWN"],
        SecurityOpt: ["no-new-privileges"],
        PidsLimit: 4096,
        Binds: ["/h/bundle:/var/lib/bot-bottle", "/h/key:/ssh/k:ro"],
        Init: true,
        NanoCpus: 1_500_000_000,
        Memory: 4 * 1024 ** 3,
      },
      NetworkingConfig: { EndpointsConfig: { "bb-i": { IPAMConfig: { IPv4Address: "10.213.0.3" } } } },
      Hostname: "sh-abc",
      User: "1000:1000",
      WorkingDir: "/home/node/work",
      Cmd: ["sleep", "infinity"],
    });
    // The same walls as the CLI argv (kept in step by this test).
    const argv = createArgv(spec);
    for (const w of ["--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--init", "--pids-limit", "4096"]) expect(argv).toContain(w);
  });

  test("container create: an unset passEnv variable sets nothing; no ip, no cmd, entrypoint reset", () => {
    const body = containerCreateRequest({ name: "b", image: "i", labels, network: "n", passEnv: ["A"], entrypoint: "" }).body as Record<string, any>;
    expect(body.Env).toEqual([]);
    expect(body.NetworkingConfig).toEqual({ EndpointsConfig: { n: {} } });
    expect(body.Cmd).toBeUndefined();
    expect(body.Entrypoint).toEqual([""]);
    expect(body.HostConfig.Init).toBeUndefined();
    expect(body.HostConfig.PidsLimit).toBe(4096);
  });

  test("container create refuses a memory size docker would refuse", () => {
    expect(() => containerCreateRequest({ ...spec, memory: "lots" })).toThrow(/invalid memory size/);
  });

  test.each([
    ["768m", 768 * 1024 ** 2],
    ["4g", 4 * 1024 ** 3],
    ["4G", 4 * 1024 ** 3],
    ["1.5g", 1.5 * 1024 ** 3],
    ["512MiB", 512 * 1024 ** 2],
    ["512mb", 512 * 1024 ** 2],
    ["1048576", 1048576],
    ["10k", 10240],
    ["", null],
    ["-1g", null],
    ["4x", null],
  ])("memoryBytes(%p) = %p", (s, want) => expect(memoryBytes(s)).toBe(want));

  test("exec create: output attached, never stdin or a terminal", () => {
    expect(execCreateRequest({ container: "c", argv: ["sh", "-c", "id"], user: "root", workdir: "/w", env: { A: "1" } })).toEqual({
      method: "POST",
      path: "/containers/c/exec",
      body: { Cmd: ["sh", "-c", "id"], AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false, User: "root", WorkingDir: "/w", Env: ["A=1"] },
    });
    expect((execCreateRequest({ container: "c", argv: ["true"] }).body as Record<string, unknown>).Env).toBeUndefined();
  });
});

describe("Demuxer", () => {
  const frame = muxFrame;
  const dec = (fs: { stream: number; data: Uint8Array }[]) => fs.map((f) => [f.stream, new TextDecoder().decode(f.data)]);

  test("splits stdout and stderr frames, across any chunk boundary", () => {
    const all = new Uint8Array([...frame(1, "out\n"), ...frame(2, "err\n"), ...frame(1, ""), ...frame(1, "more")]);
    for (let cut = 0; cut <= all.length; cut++) {
      const d = new Demuxer();
      const got = [...d.push(all.slice(0, cut)), ...d.push(all.slice(cut))];
      expect(dec(got)).toEqual([[1, "out\n"], [2, "err\n"], [1, "more"]]);
      expect(d.pending).toBe(0);
    }
  });

  test("byte by byte; an unfinished frame stays pending; stdin echo is dropped", () => {
    const d = new Demuxer();
    const all = new Uint8Array([...frame(0, "in"), ...frame(2, "x"), ...frame(1, "cut")].slice(0, -1));
    const got = [...all].flatMap((b) => d.push(new Uint8Array([b])));
    expect(dec(got)).toEqual([[2, "x"]]);
    expect(d.pending).toBe(8 + 2);
  });
});
