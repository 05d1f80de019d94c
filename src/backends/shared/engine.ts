// The docker engine's own API over its unix socket, for the few calls on the
// launch path (the CLI process alone costs tens of ms per call). Used only
// where the `docker` CLI would talk to that same socket with nothing of its
// own added: any other DOCKER_HOST, a docker context, or CLI-side settings
// (proxies injected into containers) keep every call on the CLI.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BottleError } from "../../util/errors.ts";
import type { EngineRequest } from "./engine-requests.ts";

export const DEFAULT_SOCKET = "/var/run/docker.sock";

export interface EngineAnswer {
  status: number;
  /** The body as a stream (exec output); null when there is none. */
  body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}

/** What Docker asks of the engine; tests substitute a fake. */
export interface Engine {
  /** Throws EngineUnreachable when no connection could be made (nothing was sent). */
  send(r: EngineRequest): Promise<EngineAnswer>;
}

/** No connection to the socket: the caller may fall back to the CLI. */
export class EngineUnreachable extends Error {}

/** The engine's error text (`{"message": …}`), or the raw body. */
export async function engineMessage(a: EngineAnswer): Promise<string> {
  const t = (await a.text()).trim();
  try {
    const m = (JSON.parse(t) as { message?: unknown }).message;
    if (typeof m === "string") return m;
  } catch {
    // not JSON: the text itself
  }
  return t || `HTTP ${a.status}`;
}

/** Parse JSON of a successful answer, with a clear error when the engine says something else. */
export async function engineJson<T>(a: EngineAnswer, what: string): Promise<T> {
  const t = await a.text();
  try {
    return JSON.parse(t) as T;
  } catch {
    throw new BottleError("DOCKER", `the docker engine answered ${what} with something that is not JSON: ${t.slice(0, 200)}`);
  }
}

export class SocketEngine implements Engine {
  constructor(readonly socket: string) {}

  async send(r: EngineRequest): Promise<EngineAnswer> {
    let res: Response;
    try {
      res = await fetch(`http://docker${r.path}`, {
        method: r.method,
        unix: this.socket,
        headers: r.body !== undefined ? { "content-type": "application/json" } : {},
        body: r.body !== undefined ? JSON.stringify(r.body) : undefined,
      } as RequestInit);
    } catch (e) {
      const code = (e as { code?: string }).code ?? "";
      if (/ENOENT|ECONNREFUSED|EACCES|EPERM|FailedToOpenSocket|ConnectionRefused/i.test(code + " " + (e as Error).message)) {
        throw new EngineUnreachable(`cannot connect to ${this.socket}: ${(e as Error).message}`);
      }
      throw new BottleError("DOCKER", `docker engine request ${r.method} ${r.path.split("?")[0]} failed: ${(e as Error).message}`, {
        hint: "is the docker engine running? try `docker info`",
        cause: e,
      });
    }
    return { status: res.status, body: res.body, text: () => res.text() };
  }
}

/**
 * Pure: the socket to use, or null when the CLI must make every call.
 * `config` is the text of the CLI's config.json (null when absent).
 */
export function engineSocket(env: Record<string, string | undefined>, config: string | null, exists: (p: string) => boolean): string | null {
  if (env.BOT_BOTTLE_DOCKER_CLI) return null; // escape hatch: everything through the CLI
  if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT !== "default") return null;
  let socket = DEFAULT_SOCKET;
  if (env.DOCKER_HOST) {
    const m = /^unix:\/\/(\/.+)$/.exec(env.DOCKER_HOST);
    if (!m) return null; // tcp, ssh, npipe: the CLI knows how (TLS, ssh tunnels)
    socket = m[1]!;
  }
  if (config !== null) {
    let c: { currentContext?: unknown; proxies?: unknown };
    try {
      c = JSON.parse(config) as typeof c;
    } catch {
      return null; // the CLI will say what is wrong with it
    }
    // DOCKER_HOST wins over a context in the CLI too.
    if (!env.DOCKER_HOST && typeof c.currentContext === "string" && c.currentContext !== "" && c.currentContext !== "default") return null;
    // The CLI adds these to every container it creates.
    if (c.proxies !== undefined) return null;
  }
  return exists(socket) ? socket : null;
}

/** The engine for this environment, or undefined (then Docker uses the CLI only). */
export function detectEngine(env: Record<string, string | undefined> = process.env): Engine | undefined {
  const dir = env.DOCKER_CONFIG || (env.HOME ? join(env.HOME, ".docker") : undefined);
  let config: string | null = null;
  if (dir) {
    try {
      config = readFileSync(join(dir, "config.json"), "utf8");
    } catch {
      config = null;
    }
  }
  const socket = engineSocket(env, config, existsSync);
  return socket ? new SocketEngine(socket) : undefined;
}
