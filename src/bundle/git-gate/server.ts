// The git gate daemon: `git daemon` serving bare mirrors of the operator's
// remotes, plus a loopback policy service its hooks call. Fetches are served
// from a mirror refreshed just before; a push is checked against the policy
// and forwarded to the real remote (with the host-held credential) before git
// accepts it, so a refused forward is a refused push.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { Subprocess } from "bun";
import type { Daemon, GitGateConfig } from "../config.ts";
import { BottleError } from "../../util/errors.ts";
import { run, startChild, type Runner } from "../../util/run.ts";
import { gitDaemonArgv } from "./git-argv.ts";
import { hookResponse, hookScript, MAX_REQUEST_BYTES, parseHookRequest, type HookRequest } from "./hook.ts";
import { parseListen } from "./listen.ts";
import { freePort } from "../../util/ports.ts";
import { appendGitLog } from "./log.ts";
import { Mirrors } from "./mirror.ts";
import { decideUpdate, forwardRefspecs, pushAllowed, refusalMessage, updateKind } from "./policy.ts";

const READY_TIMEOUT_MS = 10_000;
/** A hook connection that sends nothing useful is dropped after this. */
const HOOK_IDLE_MS = 30_000;

export interface GitGateOptions {
  runner?: Runner;
  log?: (line: string) => void;
}

export async function startGitGate(
  cfg: GitGateConfig,
  env: Record<string, string | undefined> = process.env,
  opts: GitGateOptions = {},
): Promise<Daemon> {
  const runner = opts.runner ?? run;
  const log = opts.log ?? ((line: string) => process.stderr.write(`git-gate: ${line}\n`));
  mkdirSync(cfg.dir, { recursive: true });
  const mirrors = new Mirrors(cfg, env, runner);
  const token = randomBytes(16).toString("hex");

  const handle = (req: HookRequest): Promise<string> =>
    req.mode === "access" ? handleAccess(req, mirrors, log) : handlePreReceive(req, mirrors, cfg, log);
  const service = startPolicyService(token, handle);

  const hook = hookScript(service.port, token);
  const hookPath = join(cfg.dir, ".gate-hook");
  writeFileSync(hookPath, hook);
  chmodSync(hookPath, 0o755);
  let proc: Subprocess | undefined;
  try {
    for (const repo of cfg.repos) await mirrors.prepare(repo, hook);
    const { host, port: wanted } = parseListen(cfg.listen);
    const port = wanted === 0 ? freePort(host) : wanted;
    const argv = gitDaemonArgv({ dir: cfg.dir, host, port, accessHook: hookPath });
    proc = startChild(argv, { stderr: "pipe" });
    const child = proc;
    const ready = await relayUntilReady(child.stderr as ReadableStream<Uint8Array>, log, READY_TIMEOUT_MS);
    if (!ready.ok) {
      child.kill();
      throw new BottleError("GIT_GATE", `git daemon did not start on ${host}:${port}: ${ready.lastLines || "no output"}`, {
        hint: "is the port in use, or git-daemon missing from the bundle image?",
      });
    }
    log(`serving ${cfg.repos.map((r) => r.name).join(", ") || "no repositories"} on ${host}:${port}`);
    let closing = false;
    // Nothing restarts it: say so loudly, the agent's git will fail from here on.
    void child.exited.then((code) => closing || log(`git daemon exited unexpectedly (code ${code})`));
    return {
      address: { host, port },
      async close() {
        closing = true;
        child.kill();
        await child.exited;
        service.stop(true);
      },
    };
  } catch (e) {
    proc?.kill();
    service.stop(true);
    throw e;
  }
}

async function handleAccess(req: Extract<HookRequest, { mode: "access" }>, mirrors: Mirrors, log: (l: string) => void): Promise<string> {
  if (!mirrors.repo(req.repo)) return hookResponse([`bot-bottle git gate: no repository named ${req.repo}`], false);
  if (req.service !== "upload-pack" && req.service !== "receive-pack") return hookResponse([`service ${req.service} is not offered`], false);
  // A stale mirror still serves: the agent keeps working when the remote is briefly down.
  const err = await mirrors.refresh(req.repo);
  if (err) log(`refresh of ${req.repo} failed, serving the mirror as it is: ${err}`);
  return hookResponse([], true);
}

async function handlePreReceive(
  req: Extract<HookRequest, { mode: "pre-receive" }>,
  mirrors: Mirrors,
  cfg: GitGateConfig,
  log: (l: string) => void,
): Promise<string> {
  const repo = mirrors.repo(req.repo);
  if (!repo) return hookResponse([`bot-bottle git gate: no repository named ${req.repo}`], false);
  const decisions = [];
  for (const u of req.updates) {
    const needsAncestry = !/^0+$/.test(u.old) && !/^0+$/.test(u.new);
    const ancestor = needsAncestry ? await mirrors.isAncestor(repo.name, u.old, u.new, req.env) : false;
    decisions.push(decideUpdate(u, updateKind(u, ancestor), repo));
  }
  const at = new Date().toISOString();
  if (!pushAllowed(decisions)) {
    appendGitLog(cfg.auditLog, { at, repo: repo.name, result: "refused", updates: decisions });
    log(`refused a push to ${repo.name}: ${decisions.filter((d) => !d.ok).map((d) => d.reason).join("; ")}`);
    return hookResponse(refusalMessage(decisions, repo), false);
  }
  const err = await mirrors.forward(repo.name, forwardRefspecs(decisions), req.env);
  if (err) {
    appendGitLog(cfg.auditLog, { at, repo: repo.name, result: "failed", updates: decisions, error: err });
    log(`forward of a push to ${repo.name} failed: ${err}`);
    return hookResponse([`bot-bottle git gate: the real remote refused the push: ${err}`], false);
  }
  appendGitLog(cfg.auditLog, { at, repo: repo.name, result: "accepted", updates: decisions });
  return hookResponse(decisions.map((d) => `bot-bottle git gate: ${d.ref} forwarded to ${repo.name}`), true);
}

/**
 * Relay git daemon's log lines to `log` for the daemon's whole life; resolve
 * once it says "Ready to rumble" (listening), or on exit/timeout with its last lines.
 */
function relayUntilReady(stream: ReadableStream<Uint8Array>, log: (l: string) => void, timeoutMs: number) {
  return new Promise<{ ok: boolean; lastLines: string }>((resolve) => {
    const recent: string[] = [];
    const timer = setTimeout(() => resolve({ ok: false, lastLines: recent.join(" | ") }), timeoutMs);
    (async () => {
      let buf = "";
      const decoder = new TextDecoder();
      for await (const chunk of stream) {
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).replace(/^\[\d+\] /, "").replace(/^\(\d+\) /, "");
          buf = buf.slice(nl + 1);
          recent.push(line);
          if (recent.length > 3) recent.shift();
          if (line.includes("Ready to rumble")) {
            clearTimeout(timer);
            resolve({ ok: true, lastLines: "" });
          } else if (!/^(Connection from|Extended attribute|Disconnected)/.test(line)) log(line);
        }
      }
      clearTimeout(timer);
      resolve({ ok: false, lastLines: recent.join(" | ") });
    })().catch(() => resolve({ ok: false, lastLines: recent.join(" | ") }));
  });
}

/** Loopback TCP service for the hooks: read a request up to "end", answer, close. */
function startPolicyService(token: string, handle: (req: HookRequest) => Promise<string>) {
  type State = { buf: string; done: boolean; timer?: ReturnType<typeof setTimeout> };
  return Bun.listen<State>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s) {
        s.data = { buf: "", done: false };
        s.data.timer = setTimeout(() => s.end(), HOOK_IDLE_MS);
      },
      data(s, chunk) {
        const st = s.data;
        if (st.done) return;
        st.buf += chunk.toString();
        if (st.buf.length > MAX_REQUEST_BYTES) return void s.end(hookResponse(["request too large"], false));
        if (!/(^|\n)end\n/.test(st.buf)) return;
        st.done = true;
        clearTimeout(st.timer);
        const req = parseHookRequest(st.buf, token);
        if (!req) return void s.end(hookResponse(["bot-bottle git gate: malformed hook request"], false));
        handle(req)
          .catch((e: Error) => hookResponse([`bot-bottle git gate: internal error: ${e.message}`], false))
          .then((out) => s.end(out));
      },
      close(s) {
        clearTimeout(s.data?.timer);
      },
    },
  });
}
