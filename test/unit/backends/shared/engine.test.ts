import { describe, expect, test } from "bun:test";
import { Docker, SCRIPT_ARG_MAX } from "../../../../src/backends/shared/docker.ts";
import { DEFAULT_SOCKET, engineSocket, EngineUnreachable, SocketEngine, type Engine, type EngineAnswer } from "../../../../src/backends/shared/engine.ts";
import type { EngineRequest } from "../../../../src/backends/shared/engine-requests.ts";
import { BottleError } from "../../../../src/util/errors.ts";
import { fakeRunner } from "../../../helpers/fake-runner.ts";
import { interruptChildren } from "../../../../src/util/children.ts";
import { muxFrame } from "../../../helpers/engine-frame.ts";

const yes = () => true;

describe("engineSocket: the engine API only where the CLI would use that socket as is", () => {
  test("default: the standard socket when it exists", () => {
    expect(engineSocket({}, null, yes)).toBe(DEFAULT_SOCKET);
    expect(engineSocket({}, null, () => false)).toBeNull();
    expect(engineSocket({}, '{"auths":{}}', yes)).toBe(DEFAULT_SOCKET);
    expect(engineSocket({}, '{"currentContext":"default"}', yes)).toBe(DEFAULT_SOCKET);
  });

  test("DOCKER_HOST: a unix socket is used; tcp, ssh and npipe stay with the CLI", () => {
    expect(engineSocket({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" }, null, yes)).toBe("/run/user/1000/docker.sock");
    for (const h of ["tcp://10.0.0.1:2376", "ssh://me@host", "npipe:////./pipe/docker_engine", "unix://relative"]) expect(engineSocket({ DOCKER_HOST: h }, null, yes)).toBeNull();
  });

  test("a docker context (env or config), CLI-side proxies, an unreadable config, or the opt-out keep the CLI", () => {
    expect(engineSocket({ DOCKER_CONTEXT: "remote" }, null, yes)).toBeNull();
    expect(engineSocket({ DOCKER_CONTEXT: "default" }, null, yes)).toBe(DEFAULT_SOCKET);
    expect(engineSocket({}, '{"currentContext":"desktop-linux"}', yes)).toBeNull();
    expect(engineSocket({}, '{"proxies":{"default":{"httpProxy":"http://p:3128"}}}', yes)).toBeNull();
    expect(engineSocket({}, "{not json", yes)).toBeNull();
    expect(engineSocket({ BOT_BOTTLE_DOCKER_CLI: "1" }, null, yes)).toBeNull();
    // DOCKER_HOST wins over the config's context, as in the CLI.
    expect(engineSocket({ DOCKER_HOST: "unix:///s.sock" }, '{"currentContext":"other"}', yes)).toBe("/s.sock");
  });
});

/** A fake engine: answers by rule, records every request. */
function fakeEngine(rules: ((r: EngineRequest) => { status: number; body?: unknown; bytes?: Uint8Array[] } | undefined)[]) {
  const sent: EngineRequest[] = [];
  const engine: Engine = {
    async send(r) {
      sent.push(r);
      for (const rule of rules) {
        const a = rule(r);
        if (!a) continue;
        const text = a.body === undefined ? "" : typeof a.body === "string" ? a.body : JSON.stringify(a.body);
        const chunks = a.bytes ?? [new TextEncoder().encode(text)];
        return answer(a.status, chunks);
      }
      return answer(204, []);
    },
  };
  return { engine, sent };
}

function answer(status: number, chunks: Uint8Array[]): EngineAnswer {
  return {
    status,
    body: new ReadableStream({
      start(c) {
        for (const x of chunks) c.enqueue(x);
        c.close();
      },
    }),
    text: async () => new TextDecoder().decode(Buffer.concat(chunks)),
  };
}

const frame = muxFrame;

const labels = { identity: "x", state: "s", role: "bundle" as const };

describe("Docker over the engine API", () => {
  test("runDetached is create then start; secret values go in the body, nothing runs the CLI", async () => {
    const { engine, sent } = fakeEngine([(r) => (r.path.startsWith("/containers/create") ? { status: 201, body: { Id: "c1" } } : undefined)]);
    const { runner, calls } = fakeRunner();
    await new Docker(runner, undefined, engine).runDetached({ name: "b", image: "i", labels, network: "n", passEnv: ["K"] }, { K: "v" });
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /containers/create?name=b", "POST /containers/b/start"]);
    expect((sent[0]!.body as { Env: string[] }).Env).toEqual(["K=v"]);
    expect(calls).toEqual([]);
  });

  test("runDetached: a missing image goes to the CLI (which pulls); other refusals are DOCKER errors", async () => {
    const missing = fakeEngine([() => ({ status: 404, body: { message: "No such image: mine:1" } })]);
    const { runner, calls } = fakeRunner();
    await new Docker(runner, undefined, missing.engine).runDetached({ name: "b", image: "mine:1", labels, network: "n" });
    expect(calls[0]!.argv.slice(0, 3)).toEqual(["docker", "run", "--detach"]);
    const taken = fakeEngine([() => ({ status: 409, body: { message: 'Conflict. The container name "/b" is already in use' } })]);
    const e = (await new Docker(fakeRunner().runner, undefined, taken.engine).runDetached({ name: "b", image: "i", labels, network: "n" }).catch((x) => x)) as BottleError;
    expect(e.code).toBe("DOCKER");
    expect(e.message).toContain("already in use");
    const noStart = fakeEngine([(r) => (r.path.endsWith("/start") ? { status: 500, body: { message: "driver failed" } } : { status: 201, body: {} })]);
    await expect(new Docker(fakeRunner().runner, undefined, noStart.engine).runDetached({ name: "b", image: "i", labels, network: "n" })).rejects.toThrow("driver failed");
  });

  test("networkCreate: overlap is an answer, anything else an error", async () => {
    const overlap = fakeEngine([() => ({ status: 403, body: { message: "Pool overlaps with other one on this address space" } })]);
    expect(await new Docker(fakeRunner().runner, undefined, overlap.engine).networkCreate({ name: "n", internal: true, subnet: "10.0.0.0/29", labels })).toBe("overlap");
    const ok = fakeEngine([() => ({ status: 201, body: { Id: "n1" } })]);
    expect(await new Docker(fakeRunner().runner, undefined, ok.engine).networkCreate({ name: "n", internal: true, subnet: "10.0.0.0/29", labels })).toBe("ok");
    const other = fakeEngine([() => ({ status: 409, body: { message: "network with name n already exists" } })]);
    await expect(new Docker(fakeRunner().runner, undefined, other.engine).networkCreate({ name: "n", internal: true, subnet: "10.0.0.0/29", labels })).rejects.toThrow(/cannot create network n: .*already exists/);
  });

  test("states: one inspect per name, missing ones absent, an engine error throws", async () => {
    const { engine } = fakeEngine([
      (r) => (r.path === "/containers/a/json" ? { status: 200, body: { Name: "/a", State: { Status: "running" } } } : undefined),
      () => ({ status: 404, body: { message: "No such container: b" } }),
    ]);
    expect([...(await new Docker(fakeRunner().runner, undefined, engine).states(["a", "b"]))]).toEqual([["a", "running"]]);
    const broken = fakeEngine([() => ({ status: 500, body: { message: "engine broke" } })]);
    await expect(new Docker(fakeRunner().runner, undefined, broken.engine).states(["a"])).rejects.toThrow(/cannot ask docker about a: engine broke/);
  });

  test("states of many containers (ls): one list request with exact names, not one inspect each", async () => {
    const names = ["bot-bottle-a.1-bundle", "bot-bottle-a.1-agent", "c", "d", "e"];
    const { engine, sent } = fakeEngine([
      () => ({ status: 200, body: [{ Names: ["/bot-bottle-a.1-bundle"], State: "running" }, { Names: ["/bot-bottle-a.1-agent-x"], State: "running" }, { Names: ["/c"], State: "exited" }] }),
    ]);
    const got = await new Docker(fakeRunner().runner, undefined, engine).states(names);
    expect([...got].sort()).toEqual([["bot-bottle-a.1-bundle", "running"], ["c", "exited"]]);
    expect(sent.length).toBe(1);
    const filters = JSON.parse(decodeURIComponent(sent[0]!.path.split("filters=")[1]!)) as { name: string[] };
    expect(sent[0]!.path.startsWith("/containers/json?all=1&filters=")).toBe(true);
    expect(filters.name[0]).toBe("^/bot-bottle-a\\.1-bundle$");
    expect(new RegExp(filters.name[0]!).test("/bot-bottle-a.1-bundle")).toBe(true);
    expect(new RegExp(filters.name[0]!).test("/bot-bottle-aX1-bundle")).toBe(false);
    const broken = fakeEngine([() => ({ status: 500, body: { message: "engine broke" } })]);
    await expect(new Docker(fakeRunner().runner, undefined, broken.engine).states(names)).rejects.toThrow(/engine broke/);
  });

  test("arch and imageId", async () => {
    const { engine } = fakeEngine([
      (r) => (r.path === "/info" ? { status: 200, body: { Architecture: "aarch64" } } : undefined),
      (r) => (r.path === "/images/ok/json" ? { status: 200, body: { Id: "sha256:abc" } } : undefined),
      () => ({ status: 404, body: { message: "No such image" } }),
    ]);
    const d = new Docker(fakeRunner().runner, undefined, engine);
    expect(await d.arch()).toBe("arm64");
    expect(await d.imageId("ok")).toBe("sha256:abc");
    expect(await d.imageId("gone")).toBeNull();
  });

  const execRules = (code: number, frames: Uint8Array[]) =>
    fakeEngine([
      (r) => (r.path.endsWith("/exec") ? { status: 201, body: { Id: "e1" } } : undefined),
      (r) => (r.path === "/exec/e1/start" ? { status: 200, bytes: frames } : undefined),
      (r) => (r.path === "/exec/e1/json" ? { status: 200, body: { ExitCode: code, Running: false } } : undefined),
    ]);

  test("script: `sh -c SCRIPT` as the user, stdout returned; a failure carries its stderr", async () => {
    const ok = execRules(0, [frame(1, "line1\n"), frame(2, "noise\n"), frame(1, "line2\n")]);
    expect(await new Docker(fakeRunner().runner, undefined, ok.engine).script("c", "root", "echo hi\n")).toBe("line1\nline2\n");
    expect(ok.sent[0]!.body).toMatchObject({ Cmd: ["sh", "-c", "echo hi\n"], User: "root", AttachStdin: false, Tty: false });
    const bad = execRules(2, [frame(2, "set: bad\n")]);
    const e = (await new Docker(fakeRunner().runner, undefined, bad.engine).script("c", "root", "x").catch((x) => x)) as BottleError;
    expect(e.message).toMatch(/exit 2.*set: bad/);
  });

  test("script: a flood of output is held bounded (its start and end), as a CLI child's is", async () => {
    const mib = new Uint8Array(1024 * 1024).fill(120);
    const flood = Array.from({ length: 4 }, () => {
      const f = new Uint8Array(8 + mib.length);
      f[0] = 1;
      new DataView(f.buffer).setUint32(4, mib.length);
      f.set(mib, 8);
      return f;
    });
    const { engine } = execRules(0, [...flood, frame(1, "\nbot-bottle-warning: last\n")]);
    const out = await new Docker(fakeRunner().runner, undefined, engine).script("c", "root", "x");
    expect(out.length).toBeLessThan(1024 * 1024 + 100);
    expect(out).toContain("bytes left out");
    expect(out.endsWith("bot-bottle-warning: last\n")).toBe(true);
  });

  test("script: a script too large for one argument goes through the CLI's stdin", async () => {
    const { engine, sent } = execRules(0, []);
    const { runner, calls } = fakeRunner();
    const big = "x".repeat(SCRIPT_ARG_MAX + 1);
    await new Docker(runner, undefined, engine).script("c", "root", big);
    expect(sent).toEqual([]);
    expect(calls[0]!.argv).toEqual(["docker", "exec", "--interactive", "--user", "root", "c", "sh", "-s"]);
    expect(calls[0]!.opts?.stdin).toBe(big);
  });

  test("execStream returns the exit code; a container removed under it is a failure, not success", async () => {
    const { engine } = execRules(7, []);
    expect(await new Docker(fakeRunner().runner, undefined, engine).execStream({ container: "c", argv: ["true"] })).toBe(7);
    const gone = fakeEngine([
      (r) => (r.path.endsWith("/exec") ? { status: 201, body: { Id: "e1" } } : undefined),
      (r) => (r.path === "/exec/e1/start" ? { status: 200, bytes: [] } : undefined),
      () => ({ status: 404, body: { message: "No such exec instance" } }),
    ]);
    expect(await new Docker(fakeRunner().runner, undefined, gone.engine).execStream({ container: "c", argv: ["true"] })).toBe(1);
  });

  test("an interactive or terminal exec stays with the CLI", async () => {
    const { engine, sent } = execRules(0, []);
    const { runner } = fakeRunner();
    let streamed: string[] = [];
    const d = new Docker(runner, async (argv) => ((streamed = argv), { code: 0, tail: [] }), engine);
    await d.execStream({ container: "c", argv: ["sh"], tty: true });
    expect(sent).toEqual([]);
    expect(streamed.slice(0, 3)).toEqual(["docker", "exec", "--tty"]);
  });

  const marks = { done: "DONE", failed: "FAILED" };
  const spec = { name: "a", image: "i", labels, network: "n", cmd: ["sh", "-c", "x"] };
  const attachedRun = (frames: Uint8Array[], over: (r: EngineRequest) => { status: number; body?: unknown } | undefined = () => undefined) =>
    fakeEngine([
      over,
      (r) => (r.path.startsWith("/containers/create") ? { status: 201, body: { Id: "c1" } } : undefined),
      (r) => (r.path.includes("/attach") ? { status: 200, bytes: frames } : undefined),
    ]);

  test("runAttached: create, attach before start, start; returns what it printed before the done mark", async () => {
    const { engine, sent } = attachedRun([frame(1, "bot-bottle-warning: x\n"), frame(2, "noise\n"), frame(1, "DONE\n"), frame(1, "never read\n")]);
    const d = new Docker(fakeRunner().runner, undefined, engine);
    expect(await d.runAttached(spec, {}, marks)).toBe("bot-bottle-warning: x");
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /containers/create?name=a", "POST /containers/a/attach?stream=1&stdout=1&stderr=1", "POST /containers/a/start"]);
    expect((sent[0]!.body as { Cmd: string[] }).Cmd).toEqual(["sh", "-c", "x"]);
  });

  test("runAttached: a failed script, or a container that stops first, is a DOCKER error with its last lines", async () => {
    const failed = attachedRun([frame(2, "sh: 3: cannot create /etc/x: Read-only file system\n"), frame(1, "FAILED\n")]);
    const e = (await new Docker(fakeRunner().runner, undefined, failed.engine).runAttached(spec, {}, marks).catch((x: unknown) => x)) as BottleError;
    expect(e.code).toBe("DOCKER");
    expect(e.message).toMatch(/provisioning a failed: .*Read-only file system/);
    const stopped = attachedRun([]);
    await expect(new Docker(fakeRunner().runner, undefined, stopped.engine).runAttached(spec, {}, marks)).rejects.toThrow(/stopped before it was provisioned/);
    const noStart = attachedRun([], (r) => (r.path.endsWith("/start") ? { status: 500, body: { message: "OCI runtime create failed" } } : undefined));
    await expect(new Docker(fakeRunner().runner, undefined, noStart.engine).runAttached(spec, {}, marks)).rejects.toThrow(/OCI runtime/);
  });

  test("a signal (interruptChildren) ends a read in flight, as it ends a CLI child: the step fails at once", async () => {
    const hanging: Engine = {
      async send(r) {
        if (r.path.startsWith("/containers/create")) return answer(201, [new TextEncoder().encode("{}")]);
        if (r.path.includes("/attach")) return { status: 200, body: new ReadableStream<Uint8Array>({ start() {} }), text: async () => "" };
        return answer(204, []);
      },
    };
    const run = new Docker(fakeRunner().runner, undefined, hanging).runAttached(spec, {}, marks).catch((x: unknown) => x);
    await Bun.sleep(10);
    expect(interruptChildren("SIGINT")).toBe(1);
    expect(((await run) as BottleError).message).toMatch(/stopped before it was provisioned/);
    expect(interruptChildren("SIGINT")).toBe(0); // nothing left tracked
  });

  test("runAttached: null (nothing made) without an engine or for a missing image (the CLI pulls it)", async () => {
    expect(await new Docker(fakeRunner().runner).runAttached(spec, {}, marks)).toBeNull();
    const missing = fakeEngine([() => ({ status: 404, body: { message: "No such image: i" } })]);
    expect(await new Docker(fakeRunner().runner, undefined, missing.engine).runAttached(spec, {}, marks)).toBeNull();
  });

  test("an engine that cannot be reached: this call and the next go to the CLI", async () => {
    let tries = 0;
    const engine: Engine = {
      async send() {
        tries++;
        throw new EngineUnreachable("cannot connect to /var/run/docker.sock: ENOENT");
      },
    };
    const { runner, calls } = fakeRunner([() => ({ stdout: "x86_64\n" })]);
    const d = new Docker(runner, undefined, engine);
    expect(await d.arch()).toBe("x64");
    await d.imageId("i");
    expect(tries).toBe(1);
    expect(calls.map((c) => c.argv[1])).toEqual(["info", "image"]);
  });

  test("a substituted runner means the CLI only (tests of argv), unless an engine is given", () => {
    expect(new Docker(fakeRunner().runner).engine).toBeUndefined();
    expect(new Docker(undefined, undefined, null).engine).toBeUndefined();
  });

  test("SocketEngine: a socket that does not exist is unreachable (the CLI takes over)", async () => {
    const e = await new SocketEngine("/nonexistent/docker.sock").send({ method: "GET", path: "/_ping" }).catch((x) => x);
    expect(e).toBeInstanceOf(EngineUnreachable);
  });
});
