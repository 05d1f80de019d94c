// Thin typed wrapper over the docker CLI: argv from argv.ts, run through a
// Runner (tests substitute a fake and assert the argv). The calls on the
// launch path go to the engine's socket instead when engine.ts finds it the
// same engine the CLI would use (requests from engine-requests.ts).
import { appendFileSync } from "node:fs";
import { consola } from "consola";
import { BottleError } from "../../util/errors.ts";
import { BoundedBytes, run, runOk, type Runner } from "../../util/run.ts";
import * as A from "./docker-argv.ts";
import { normalizeArch } from "../../util/arch.ts";
export * from "./docker-argv.ts";
import { spawnStream, type StreamRunner } from "../../util/stream.ts";
import { trackChild } from "../../util/children.ts";
import * as R from "./engine-requests.ts";
import { detectEngine, engineJson, engineMessage, EngineUnreachable, type Engine } from "./engine.ts";

/** Most characters of a start script's output held (its own lines: a handful). */
const ATTACH_KEEP = 256 * 1024;

/** states() of more names than this lists them in one request. */
export const STATES_INSPECT_MAX = 4;

/**
 * Read a streamed answer until it ends or `onChunk` says enough. A signal's
 * interruptChildren() stops the read like it ends a CLI child (the launch's
 * step in flight fails at once and the teardown follows).
 */
async function readFrames(body: ReadableStream<Uint8Array>, what: string, onChunk: (chunk: Uint8Array) => boolean): Promise<void> {
  const reader = body.getReader();
  let finish!: (code: number) => void;
  const handle = { exitCode: null as number | null, exited: new Promise<number>((r) => (finish = r)), kill: () => void reader.cancel().catch(() => {}) };
  trackChild(handle);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || onChunk(value)) break;
    }
  } catch (x) {
    consola.debug(`${what}: output stream ended: ${(x as Error).message}`);
  } finally {
    handle.exitCode = 0;
    finish(0);
    await reader.cancel().catch(() => {});
  }
}

/**
 * Create a container through the engine; false when its image is missing
 * (the CLI pulls it, an operator's own image; the engine API does not).
 */
async function createApi(e: Engine, spec: A.ContainerSpec, values: Record<string, string>): Promise<boolean> {
  const made = await e.send(R.containerCreateRequest(spec, values));
  if (made.status === 201) return (await made.text(), true);
  const why = await engineMessage(made);
  if (made.status === 404 && /no such image/i.test(why)) return false;
  throw new BottleError("DOCKER", `docker run ${spec.name} failed: ${why}`, { hint: DOCKER_HINT });
}

async function startApi(e: Engine, name: string): Promise<void> {
  const started = await e.send(R.containerStartRequest(name));
  // 304: already running.
  if (started.status !== 204 && started.status !== 304) throw new BottleError("DOCKER", `docker run ${name} failed: ${await engineMessage(started)}`, { hint: DOCKER_HINT });
}

/** Larger scripts go through the CLI's stdin (an argument is capped at 128 KiB by the kernel). */
export const SCRIPT_ARG_MAX = 64 * 1024;

export interface ContainerRef {
  name: string;
  identity: string;
  state: string;
}

export interface NetworkRef {
  name: string;
  identity: string;
}

const DOCKER_HINT = "is the docker engine running? try `docker info`";

/** docker's own wording when a --subnet collides with an existing network. */
export function isSubnetOverlap(stderr: string): boolean {
  return /overlaps|Pool overlaps|address space|already in use/i.test(stderr);
}

function isMissing(stderr: string): boolean {
  return /No such (container|network|object|image)|not found/i.test(stderr);
}

/**
 * The lines of a multi-object command's stderr that are real failures: not
 * "no such …/not found" (already gone is fine) and not the CLI's closing
 * "exit status N".
 */
export function realFailures(stderr: string): string[] {
  return stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !isMissing(l) && !/^exit status \d+$/.test(l));
}

/** Parse tab-separated `docker … --format` lines, skipping blanks. */
export function parseRows(stdout: string): string[][] {
  return stdout
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split("\t"));
}

export { normalizeArch };

export class Docker {
  /** The engine's socket, when the CLI would talk to it as is (see engine.ts); undefined: the CLI only. */
  engine: Engine | undefined;

  constructor(
    readonly runner: Runner = run,
    readonly stream: StreamRunner = spawnStream,
    engine?: Engine | null,
  ) {
    // A substituted runner means a test of the CLI path: no engine unless one is given.
    this.engine = engine === null ? undefined : (engine ?? (runner === run ? detectEngine() : undefined));
  }

  /** Through the engine when there is one; the CLI when not, or when its socket cannot be reached. */
  private async via<T>(api: (e: Engine) => Promise<T>, cli: () => Promise<T>): Promise<T> {
    const e = this.engine;
    if (!e) return cli();
    try {
      return await api(e);
    } catch (err) {
      if (!(err instanceof EngineUnreachable)) throw err;
      consola.debug(`${err.message}; using the docker CLI`);
      this.engine = undefined;
      return cli();
    }
  }

  async arch(): Promise<string> {
    return this.via(
      async (e) => {
        const a = await e.send(R.infoRequest());
        if (a.status !== 200) throw new BottleError("DOCKER", `docker info failed: ${await engineMessage(a)}`, { hint: DOCKER_HINT });
        return normalizeArch(String((await engineJson<{ Architecture?: string }>(a, "info")).Architecture ?? ""));
      },
      async () => normalizeArch((await runOk(this.runner, A.infoArchArgv(), "DOCKER", { hint: DOCKER_HINT })).stdout),
    );
  }

  /** Create a network; `overlap` when docker refused the subnet (caller retries with another). */
  async networkCreate(spec: A.NetworkSpec): Promise<"ok" | "overlap"> {
    const failed = (stderr: string): "overlap" => {
      if (spec.subnet && isSubnetOverlap(stderr)) return "overlap";
      throw new BottleError("DOCKER", `cannot create network ${spec.name}: ${stderr.trim()}`, { hint: DOCKER_HINT });
    };
    return this.via(
      async (e) => {
        const a = await e.send(R.networkCreateRequest(spec));
        return a.status === 201 || a.status === 200 ? "ok" : failed(`Error response from daemon: ${await engineMessage(a)}`);
      },
      async () => {
        const r = await this.runner(A.networkCreateArgv(spec));
        return r.code === 0 ? "ok" : failed(r.stderr);
      },
    );
  }

  async networkConnect(network: string, container: string, ip?: string): Promise<void> {
    await this.via(
      async (e) => {
        const a = await e.send(R.networkConnectRequest(network, container, ip));
        if (a.status !== 200) throw new BottleError("DOCKER", `docker network connect failed: ${await engineMessage(a)}`);
      },
      async () => void (await runOk(this.runner, A.networkConnectArgv(network, container, ip), "DOCKER")),
    );
  }

  /** Idempotent: missing networks are not an error. */
  async networkRm(names: string[]): Promise<void> {
    if (!names.length) return;
    // One call for all: docker removes what it can and reports each failure on its own line.
    const r = await this.runner(A.networkRmArgv(names));
    if (r.code === 0) return;
    const failures = realFailures(r.stderr);
    if (failures.length) {
      throw new BottleError("DOCKER", `cannot remove network ${names.join(", ")}: ${failures.join(" | ")}`, { hint: "a container may still use it" });
    }
  }

  async networks(labelFilter: string[]): Promise<NetworkRef[]> {
    const r = await runOk(this.runner, A.networkLsArgv(labelFilter), "DOCKER", { hint: DOCKER_HINT });
    return parseRows(r.stdout).map(([name, identity]) => ({ name: name!, identity: identity ?? "" }));
  }

  /** Every subnet of every network on the engine (IPv4 CIDR text; others are skipped by the caller). */
  async networkSubnets(): Promise<string[]> {
    const ids = parseRows((await runOk(this.runner, A.networkIdsArgv(), "DOCKER", { hint: DOCKER_HINT })).stdout).map((r) => r[0]!);
    if (!ids.length) return [];
    // A network removed between the two calls makes inspect fail for it alone: keep what it printed.
    const r = await this.runner(A.networkSubnetsArgv(ids));
    return r.stdout.split(/\s+/).filter(Boolean);
  }

  async containers(labelFilter: string[]): Promise<ContainerRef[]> {
    const r = await runOk(this.runner, A.psArgv(labelFilter), "DOCKER", { hint: DOCKER_HINT });
    return parseRows(r.stdout).map(([name, identity, state]) => ({ name: name!, identity: identity ?? "", state: state ?? "" }));
  }

  /** `values` supplies the passEnv variables through the CLI's environment, never argv. */
  async create(spec: A.ContainerSpec, values: Record<string, string> = {}): Promise<void> {
    await runOk(this.runner, A.createArgv(spec), "DOCKER", { env: values, hint: DOCKER_HINT });
  }

  /** Create and start at once; `values` as for create(). */
  async runDetached(spec: A.ContainerSpec, values: Record<string, string> = {}): Promise<void> {
    const cli = async () => void (await runOk(this.runner, A.runDetachedArgv(spec), "DOCKER", { env: values, hint: DOCKER_HINT }));
    await this.via(async (e) => {
      if (!(await createApi(e, spec, values))) return cli();
      await startApi(e, spec.name);
    }, cli);
  }

  /**
   * Through the engine only: create the container, attach to its output,
   * start it, and follow that output until its command prints `marks.done`
   * (returns what it printed before) or `marks.failed` / stops (throws with
   * its last lines). Null when there is no engine: nothing was made, the
   * caller starts it its own way.
   */
  async runAttached(spec: A.ContainerSpec, values: Record<string, string>, marks: { done: string; failed: string }): Promise<string | null> {
    const e = this.engine;
    if (!e) return null;
    try {
      if (!(await createApi(e, spec, values))) return null;
    } catch (err) {
      if (err instanceof EngineUnreachable) return (this.engine = undefined), null;
      throw err;
    }
    const fail = (why: string) => new BottleError("DOCKER", `provisioning ${spec.name} failed: ${why}`, { hint: "run again with --debug; the agent image needs a POSIX sh" });
    // Attached before start, so nothing it prints is missed.
    const attached = await e.send(R.containerAttachRequest(spec.name));
    if (attached.status !== 200 || !attached.body) throw fail(await engineMessage(attached));
    try {
      await startApi(e, spec.name);
    } catch (err) {
      await attached.body.cancel().catch(() => {});
      throw err;
    }
    const demux = new R.Demuxer();
    const dec = new TextDecoder();
    let out = "";
    let err = "";
    let result: string | undefined;
    await readFrames(attached.body, `attach ${spec.name}`, (chunk) => {
      for (const f of demux.push(chunk)) {
        if (f.stream === 2) err = (err + dec.decode(f.data, { stream: true })).slice(-ATTACH_KEEP);
        else out = (out + dec.decode(f.data, { stream: true })).slice(-ATTACH_KEEP);
      }
      const lines = out.split("\n");
      const at = lines.indexOf(marks.done);
      if (at !== -1) result = lines.slice(0, at).join("\n");
      return result !== undefined || lines.includes(marks.failed);
    });
    if (result !== undefined) return result;
    const tail = (err || out).trim().split("\n").filter((l) => l !== marks.failed).slice(-3).join(" | ");
    throw fail(tail || "the container stopped before it was provisioned");
  }

  async start(names: string[]): Promise<void> {
    await runOk(this.runner, A.startArgv(names), "DOCKER");
  }

  async stop(names: string[]): Promise<void> {
    const r = await this.runner(A.stopArgv(names));
    if (r.code !== 0 && !isMissing(r.stderr)) throw new BottleError("DOCKER", `docker stop failed: ${r.stderr.trim()}`);
  }

  /** Idempotent force-remove. */
  async rm(names: string[]): Promise<void> {
    if (!names.length) return;
    const r = await this.runner(A.rmArgv(names));
    if (r.code === 0) return;
    const failures = realFailures(r.stderr);
    if (failures.length) throw new BottleError("DOCKER", `docker rm failed: ${failures.join(" | ")}`);
  }

  /** Status per container name; missing containers are absent from the map. Throws when docker cannot answer. */
  async states(names: string[]): Promise<Map<string, string>> {
    return this.via(async (e) => {
      const out = new Map<string, string>();
      if (names.length > STATES_INSPECT_MAX) {
        // `ls` of hundreds of bottles: one list request, not hundreds of connections.
        const a = await e.send(R.containerListRequest(names));
        if (a.status !== 200) throw new BottleError("DOCKER", `cannot ask docker about ${names.length} containers: ${await engineMessage(a)}`, { hint: DOCKER_HINT });
        const want = new Set(names);
        for (const c of await engineJson<{ Names?: string[]; State?: string }[]>(a, "container list")) {
          for (const n of c.Names ?? []) if (want.has(n.replace(/^\//, ""))) out.set(n.replace(/^\//, ""), String(c.State ?? ""));
        }
        return out;
      }
      // A few names (a launch, one bottle's status): one inspect each, side by side.
      await Promise.all(
        names.map(async (n) => {
          const a = await e.send(R.containerInspectRequest(n));
          if (a.status === 404) return void (await a.text());
          if (a.status !== 200) throw new BottleError("DOCKER", `cannot ask docker about ${names.join(", ")}: ${await engineMessage(a)}`, { hint: DOCKER_HINT });
          const c = await engineJson<{ Name?: string; State?: { Status?: string } }>(a, "container inspect");
          out.set(String(c.Name ?? n).replace(/^\//, ""), String(c.State?.Status ?? ""));
        }),
      );
      return out;
    }, () => this.statesCli(names));
  }

  private async statesCli(names: string[]): Promise<Map<string, string>> {
    const r = await this.runner(A.inspectStateArgv(names));
    // `inspect` exits 1 when some names are missing but still prints the others; anything else means no answer.
    const problems = r.code === 0 ? [] : realFailures(r.stderr);
    if (r.code !== 0 && (problems.length || !r.stderr.trim())) {
      throw new BottleError("DOCKER", `cannot ask docker about ${names.join(", ")}: ${(problems[0] ?? `exit ${r.code}`).trim()}`, { hint: DOCKER_HINT });
    }
    const out = new Map<string, string>();
    for (const [name, status] of parseRows(r.stdout)) out.set(name!.replace(/^\//, ""), status ?? "");
    return out;
  }

  /** Run a command and capture its output (provisioning). Throws on non-zero. */
  async execOk(spec: A.ExecSpec, stdin?: string | Uint8Array): Promise<string> {
    const r = await runOk(this.runner, A.execArgv({ ...spec, interactive: stdin !== undefined || spec.interactive }), "DOCKER", { stdin });
    return r.stdout;
  }

  /**
   * A shell script run as `user` (provisioning); returns its stdout, throws on
   * non-zero. Through the engine the script is the exec's `sh -c` argument (no
   * host process holds it); larger ones, or no engine, go through the CLI's stdin.
   */
  async script(container: string, user: string, script: string): Promise<string> {
    const cli = () => this.execOk({ container, argv: ["sh", "-s"], user }, script);
    if (Buffer.byteLength(script) > SCRIPT_ARG_MAX) return cli();
    return this.via(async (e) => {
      const spec: A.ExecSpec = { container, argv: ["sh", "-c", script], user };
      // Held bounded, as a CLI child's output is: what runs there must not exhaust our memory.
      const out = [new BoundedBytes(), new BoundedBytes()] as const;
      const code = await this.execApi(e, spec, (stream, data) => (stream === 2 ? out[1] : out[0]).push(data));
      if (code !== 0) {
        const detail = (out[1].text() || out[0].text()).trim().split("\n").slice(-3).join(" | ");
        throw new BottleError("DOCKER", `docker exec ${container} failed (exit ${code}): ${detail}`);
      }
      return out[0].text();
    }, cli);
  }

  /** Exec through the engine: create, start with output attached, then its exit code. */
  private async execApi(e: Engine, spec: A.ExecSpec, onData: (stream: 1 | 2, data: Uint8Array) => void): Promise<number> {
    const made = await e.send(R.execCreateRequest(spec));
    if (made.status !== 201) throw new BottleError("DOCKER", `docker exec ${spec.container} failed: ${await engineMessage(made)}`, { hint: DOCKER_HINT });
    const { Id: id } = await engineJson<{ Id: string }>(made, "exec create");
    const started = await e.send(R.execStartRequest(id));
    if (started.status !== 200) throw new BottleError("DOCKER", `docker exec ${spec.container} failed: ${await engineMessage(started)}`, { hint: DOCKER_HINT });
    const demux = new R.Demuxer();
    // The engine ends the stream when the process exits, or when its container goes (teardown).
    if (started.body) await readFrames(started.body, `exec ${spec.container}`, (chunk) => {
      for (const f of demux.push(chunk)) onData(f.stream, f.data);
      return false;
    });
    const info = await e.send(R.execInspectRequest(id));
    // The container is gone (removed under it): docker's own exec reports a failure too.
    if (info.status !== 200) return (await info.text(), 1);
    const { ExitCode, Running } = await engineJson<{ ExitCode: number | null; Running: boolean }>(info, "exec inspect");
    return Running || ExitCode === null ? 1 : ExitCode;
  }

  /** Attach the operator's terminal; returns the command's exit code. */
  async execInherit(spec: A.ExecSpec): Promise<number> {
    return (await this.runner(A.execArgv(spec), { inherit: true })).code;
  }

  /** Non-interactive: output to our stdout/stderr and the transcript file. */
  async execStream(spec: A.ExecSpec, teeFile?: string): Promise<number> {
    const cli = async () => (await this.stream(A.execArgv(spec), { teeFile })).code;
    if (spec.interactive || spec.tty) return cli();
    return this.via(
      (e) =>
        this.execApi(e, spec, (stream, data) => {
          (stream === 2 ? process.stderr : process.stdout).write(data);
          if (teeFile) appendFileSync(teeFile, data);
        }),
      cli,
    );
  }

  /** Exec with stdout into a host file, as bytes (harvest exports). */
  async execToFile(spec: A.ExecSpec, out: string, stdin?: Uint8Array, signal?: AbortSignal): Promise<{ code: number; stderr: string }> {
    const r = await this.runner(A.execArgv({ ...spec, interactive: stdin !== undefined }), { stdoutFile: out, stdin, signal });
    return { code: r.code, stderr: r.stderr };
  }

  async cp(src: string, container: string, dest: string, stdin?: Uint8Array): Promise<void> {
    await runOk(this.runner, A.cpArgv(src, container, dest), "DOCKER", { stdin });
  }

  async imageId(image: string): Promise<string | null> {
    return this.via(
      async (e) => {
        const a = await e.send(R.imageInspectRequest(image));
        if (a.status !== 200) return (await a.text(), null);
        return (await engineJson<{ Id?: string }>(a, "image inspect")).Id ?? null;
      },
      async () => {
        const r = await this.runner(A.imageIdArgv(image));
        return r.code === 0 ? r.stdout.trim() : null;
      },
    );
  }

  /**
   * Remove build leftovers by id, never forced: a dangling image still used by
   * a container or another image stays. True when every id is gone (or was already).
   */
  async rmQuiet(kind: "container" | "image", ids: string[]): Promise<boolean> {
    if (!ids.length) return true;
    const r = await this.runner(kind === "image" ? A.imageRmArgv(ids) : A.rmArgv(ids));
    if (r.code === 0) return true;
    const bad = r.stderr.split("\n").filter((l) => l.trim() && !isMissing(l) && !/conflict|being used|has dependent child/i.test(l));
    if (bad.length) consola.debug(`docker ${kind} rm: ${bad.join(" | ")}`);
    return bad.length === 0;
  }

  /** Which of these image ids exist without any tag (short ids as given). */
  async untagged(ids: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    if (!ids.length) return out;
    const r = await this.runner(A.imageTagsArgv(ids));
    for (const [id, tags] of parseRows(r.stdout)) {
      const full = id!.replace(/^sha256:/, "");
      if ((tags ?? "").trim() === "[]") for (const want of ids) if (full.startsWith(want)) out.add(want);
    }
    return out;
  }

  /** Size in bytes of images that exist, by id (for `gc --images --dry-run`). */
  async imageSizes(ids: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!ids.length) return out;
    const r = await this.runner(A.imageSizeArgv(ids));
    for (const [id, size] of parseRows(r.stdout)) out.set(id!.replace(/^sha256:/, ""), Number(size));
    return out;
  }

  /** Remove old unused bot-bottle images (rebuilt on demand); returns docker's summary line. */
  async pruneImages(until: string): Promise<string> {
    const r = await runOk(this.runner, A.imagePruneArgv(until), "DOCKER", { hint: DOCKER_HINT });
    return r.stdout.trim().split("\n").at(-1) ?? "";
  }

  /** Last lines of a container's output, for error messages. */
  async logsText(container: string, tail: number): Promise<string> {
    const r = await this.runner(A.logsArgv(container, { tail }));
    return (r.stdout + r.stderr).trim();
  }

  /** A container's output line by line (both streams), as it comes with `follow`; returns docker's exit code. */
  async logs(container: string, opts: { follow?: boolean; tail?: number; since?: string }, onLine: (line: string) => void): Promise<number> {
    return (await this.stream(A.logsArgv(container, opts), { onLine, echo: false })).code;
  }

  /** Build with streamed progress; throws with the last lines of output on failure. */
  async build(o: { tag: string; contextDir: string; labels?: Record<string, string> }, onLine?: (l: string) => void): Promise<void> {
    const r = await this.stream(A.buildArgv(o), { onLine, echo: false });
    if (r.code !== 0) {
      throw new BottleError("DOCKER", `building image ${o.tag} failed (exit ${r.code}):\n${r.tail.join("\n")}`, {
        hint: "behind a TLS-intercepting proxy? set BOT_BOTTLE_BUILD_CA to its CA bundle",
      });
    }
  }
}
