// Pure: the docker engine API requests for the calls on the launch path, the
// same operations docker-argv.ts spells as CLI argv (a `docker` process costs
// tens of ms to start; a request over the engine's socket costs about one).
// Nothing here does I/O; engine.ts sends these, tests assert them.
//
// Paths carry no API version: the engine answers in its own current version,
// and every field used here is stable across the versions docker supports.
import { DEFAULT_PIDS_LIMIT, LABEL_IDENTITY, LABEL_ROLE, LABEL_STATE, type ContainerSpec, type ExecSpec, type Labels, type NetworkSpec } from "./docker-argv.ts";
import { escapeRegExp } from "../../util/regex.ts";

export interface EngineRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path and query, e.g. `/containers/create?name=x`. */
  path: string;
  /** Sent as JSON. */
  body?: unknown;
}

const seg = (s: string) => encodeURIComponent(s);

function labels(l: Labels): Record<string, string> {
  return { [LABEL_IDENTITY]: l.identity, [LABEL_STATE]: l.state, [LABEL_ROLE]: l.role };
}

export function infoRequest(): EngineRequest {
  return { method: "GET", path: "/info" };
}

export function imageInspectRequest(image: string): EngineRequest {
  return { method: "GET", path: `/images/${seg(image)}/json` };
}

export function networkCreateRequest(n: NetworkSpec): EngineRequest {
  const body: Record<string, unknown> = {
    Name: n.name,
    Driver: "bridge",
    Internal: n.internal,
    // Engines before API 1.44 allow two networks of one name unless asked (later ones always refuse).
    CheckDuplicate: true,
    Labels: labels(n.labels),
  };
  if (n.subnet) body.IPAM = { Driver: "default", Config: [{ Subnet: n.subnet, ...(n.gateway ? { Gateway: n.gateway } : {}) }] };
  // As networkCreateArgv: no host address on the internal bridge.
  if (n.noHostAddress) body.Options = { "com.docker.network.bridge.inhibit_ipv4": "true" };
  return { method: "POST", path: "/networks/create", body };
}

export function networkConnectRequest(network: string, container: string, ip?: string): EngineRequest {
  return {
    method: "POST",
    path: `/networks/${seg(network)}/connect`,
    body: { Container: container, ...(ip ? { EndpointConfig: { IPAMConfig: { IPv4Address: ip } } } : {}) },
  };
}

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** Pure: docker's `--memory` value in bytes ("512m", "2g", "1.5GiB", "1048576"), or null when docker would refuse it too. */
export function memoryBytes(s: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?\s*$/i.exec(s);
  if (!m) return null;
  return Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
}

/**
 * `docker run --detach` is two requests: create, then start. The body says
 * what createArgv says, field by field; `values` are the passEnv values (they
 * travel in the request body, as the CLI sends them; never in an argv).
 */
export function containerCreateRequest(c: ContainerSpec, values: Record<string, string> = {}): EngineRequest {
  const env = Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v}`);
  // `-e NAME` with NAME unset in the CLI's environment sets nothing: same here.
  for (const k of c.passEnv ?? []) if (values[k] !== undefined) env.push(`${k}=${values[k]}`);
  const host: Record<string, unknown> = {
    NetworkMode: c.network,
    CapDrop: ["ALL"],
    CapAdd: c.capAdd ?? [],
    SecurityOpt: ["no-new-privileges"],
    PidsLimit: c.pidsLimit ?? DEFAULT_PIDS_LIMIT,
    Binds: c.volumes ?? [],
  };
  if (c.init) host.Init = true;
  if (c.cpus !== undefined) host.NanoCpus = Math.round(c.cpus * 1e9);
  if (c.memory) {
    const bytes = memoryBytes(c.memory);
    if (bytes === null) throw new Error(`invalid memory size ${JSON.stringify(c.memory)}`);
    host.Memory = bytes;
  }
  const body: Record<string, unknown> = {
    Image: c.image,
    Labels: labels(c.labels),
    Env: env,
    HostConfig: host,
    NetworkingConfig: { EndpointsConfig: { [c.network]: c.ip ? { IPAMConfig: { IPv4Address: c.ip } } : {} } },
  };
  if (c.hostname) body.Hostname = c.hostname;
  if (c.user) body.User = c.user;
  if (c.workdir) body.WorkingDir = c.workdir;
  // [""] resets the image's entrypoint, as `--entrypoint ""` does.
  if (c.entrypoint !== undefined) body.Entrypoint = [c.entrypoint];
  if (c.cmd?.length) body.Cmd = c.cmd;
  return { method: "POST", path: `/containers/create?name=${seg(c.name)}`, body };
}

export function containerStartRequest(name: string): EngineRequest {
  return { method: "POST", path: `/containers/${seg(name)}/start` };
}

/** The container's output from the moment it starts (asked before `start`, so nothing is missed). */
export function containerAttachRequest(container: string): EngineRequest {
  return { method: "POST", path: `/containers/${seg(container)}/attach?stream=1&stdout=1&stderr=1` };
}

/** Every container (running or not) with one of these exact names: one request however many. */
export function containerListRequest(names: string[]): EngineRequest {
  // The engine matches `name` filters as regular expressions against "/name".
  const exact = names.map((n) => `^/${escapeRegExp(n)}$`);
  return { method: "GET", path: `/containers/json?all=1&filters=${seg(JSON.stringify({ name: exact }))}` };
}

export function containerInspectRequest(name: string): EngineRequest {
  return { method: "GET", path: `/containers/${seg(name)}/json` };
}

/** An exec with its output attached (never stdin or a terminal: those stay with the CLI). */
export function execCreateRequest(e: ExecSpec): EngineRequest {
  const body: Record<string, unknown> = { Cmd: e.argv, AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false };
  if (e.user) body.User = e.user;
  if (e.workdir) body.WorkingDir = e.workdir;
  if (e.env && Object.keys(e.env).length) body.Env = Object.entries(e.env).map(([k, v]) => `${k}=${v}`);
  return { method: "POST", path: `/containers/${seg(e.container)}/exec`, body };
}

export function execStartRequest(id: string): EngineRequest {
  return { method: "POST", path: `/exec/${seg(id)}/start`, body: { Detach: false, Tty: false } };
}

export function execInspectRequest(id: string): EngineRequest {
  return { method: "GET", path: `/exec/${seg(id)}/json` };
}

/**
 * Pure, incremental: split docker's multiplexed output (no terminal) into
 * stdout (1) and stderr (2) chunks. Each frame: 1 byte stream, 3 zero bytes,
 * a big-endian 32-bit length, then the payload. Feed chunks as they come.
 */
export class Demuxer {
  private buf = new Uint8Array(0);

  push(chunk: Uint8Array): { stream: 1 | 2; data: Uint8Array }[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    const out: { stream: 1 | 2; data: Uint8Array }[] = [];
    let at = 0;
    while (joined.length - at >= 8) {
      const size = new DataView(joined.buffer, joined.byteOffset + at + 4, 4).getUint32(0);
      if (joined.length - at - 8 < size) break;
      const kind = joined[at]!;
      // 0 is stdin echoed back (never asked for here); anything else but 2 is treated as stdout.
      if (kind !== 0 && size > 0) out.push({ stream: kind === 2 ? 2 : 1, data: joined.slice(at + 8, at + 8 + size) });
      at += 8 + size;
    }
    this.buf = joined.slice(at);
    return out;
  }

  /** Bytes of an unfinished frame left when the stream ended. */
  get pending(): number {
    return this.buf.length;
  }
}
