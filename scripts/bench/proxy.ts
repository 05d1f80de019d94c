// Proxy benchmark: the same HTTPS workload — keep-alive GETs and 1 MB POSTs to
// a local origin — direct, through our proxy (`bundle proxy` as a subprocess,
// TLS intercepted, DLP on) and through Debian's mitmdump (TLS intercepted).
// Prints requests/s, added p50/p99 latency over direct, peak RSS of each proxy
// process (VmHWM, and in brackets the highest anonymous RSS sampled every
// 50 ms: the part that is not the mapped executable, which bundles share), CPU
// milliseconds per request of the proxy, the origin and the client, and
// ours/mitmdump ratios. Loopback only; every phase is bounded.
//
// Reading the POST figures on a small machine: the client, the origin and the
// proxy share the cores, so requests/s says who won them; CPU per request is
// what each side costs. Direct, one 1 MiB POST echoed back costs the client an
// encryption of 1 MiB and a decryption of 1 MiB, and the origin the same. An
// intercepting proxy adds two more decryptions and two more encryptions of
// 1 MiB (agent side and origin side, each way) plus the DLP scan of the
// upload. When the cores are saturated, "through the proxy ≥ 50 % of direct
// requests/s" therefore requires proxy CPU per request ≤ client + origin CPU
// per request (measured, "direct" row): the proxy may at most double the work
// of a request. Its TLS alone is about as much as client and origin together,
// so the scan and the copying must stay a small fraction on top.
//
//   bun scripts/bench/proxy.ts [--seconds 10] [--get-workers 8] [--post-workers 4] [--json] [--plain-runtime]
import { spawn, type Subprocess } from "bun";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { ProxyConfig } from "../../src/bundle/config.ts";
import { percentile, runPhase, type PhaseResult, type Target } from "./lib/http-client.ts";
import { freePort } from "../../src/util/ports.ts";
import { BUNDLE_RUNTIME_ENV } from "../../src/images/dockerfiles.ts";
import { cpuMs } from "./lib/proc-cpu.ts";

const { values: opts } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    "get-workers": { type: "string", default: "8" },
    "post-workers": { type: "string", default: "4" },
    json: { type: "boolean", default: false },
    /** Run ours without the bundle's runtime settings (BUNDLE_RUNTIME_ENV), to measure what they change. */
    "plain-runtime": { type: "boolean", default: false },
  },
});
const SECONDS = Math.min(Math.max(Number(opts.seconds), 1), 60);
const GET_WORKERS = Math.min(Math.max(Number(opts["get-workers"]), 1), 64);
const POST_WORKERS = Math.min(Math.max(Number(opts["post-workers"]), 1), 64);
const BUN = process.execPath;
const HERE = import.meta.dir;
const MB = Buffer.alloc(1024 * 1024, "lorem ipsum dolor sit amet ");

const children: Subprocess[] = [];
const dir = mkdtempSync(join(tmpdir(), "bb-bench-proxy-"));
const log = (s: string) => process.stderr.write(s + "\n");

function cleanup() {
  for (const c of children) c.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
process.once("SIGINT", () => (cleanup(), process.exit(130)));

async function waitForPort(port: number, what: string, proc: Subprocess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await Bun.sleep(100);
  }
  throw new Error(`${what} did not listen on ${port} within 20 s`);
}

async function waitForFile(file: string, what: string): Promise<void> {
  for (let i = 0; i < 200 && !existsSync(file); i++) await Bun.sleep(100);
  if (!existsSync(file)) throw new Error(`${what}: ${file} did not appear`);
}

/** Anonymous resident memory (RssAnon: the process's own, not the mapped executable) of a process, in MiB. */
function anonMiB(pid: number): number {
  try {
    const m = /RssAnon:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Peak resident set (VmHWM) of a process, in MiB. */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function startUpstream(): Promise<{ port: number; caFile: string; pid: number }> {
  const p = spawn([BUN, join(HERE, "lib/upstream-server.ts"), dir], { stdout: "pipe", stderr: "inherit" });
  children.push(p);
  const reader = p.stdout.getReader();
  let text = "";
  for (let i = 0; i < 100 && !text.includes("\n"); i++) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return { ...JSON.parse(text.split("\n")[0]!), pid: p.pid };
}

async function startOurs(upPort: number, upstreamCa: string): Promise<{ port: number; ca: string; proc: Subprocess }> {
  const port = freePort();
  const cfg: ProxyConfig = {
    listen: `127.0.0.1:${port}`,
    allow: [`localhost:${upPort}`],
    dlp: true,
    routes: [],
    secretEnv: [],
    caDir: join(dir, "ours-ca"),
    auditLog: join(dir, "ours-audit.jsonl"),
    blockPrivate: true,
    allowPrivate: ["localhost", "127.0.0.1"],
  };
  const file = join(dir, "proxy.json");
  writeFileSync(file, JSON.stringify(cfg));
  const proc = spawn([BUN, join(HERE, "lib/proxy-entry.ts"), "--config", file], {
    // The same runtime settings as the bundle container (BUN_OPTIONS=--smol).
    env: { ...process.env, ...(opts["plain-runtime"] ? {} : BUNDLE_RUNTIME_ENV), BOT_BOTTLE_UPSTREAM_CA_FILE: upstreamCa },
    stdout: "ignore",
    stderr: "inherit",
  });
  children.push(proc);
  await waitForPort(port, "bundle proxy", proc);
  return { port, ca: readFileSync(join(cfg.caDir, "ca.crt"), "utf8"), proc };
}

async function startMitmdump(upstreamCa: string): Promise<{ port: number; ca: string; proc: Subprocess }> {
  const port = freePort();
  const confdir = join(dir, "mitm");
  const proc = spawn(
    ["mitmdump", "--listen-host", "127.0.0.1", "--listen-port", String(port), "--set", `confdir=${confdir}`, "--set", `ssl_verify_upstream_trusted_ca=${upstreamCa}`, "-q"],
    { stdout: "ignore", stderr: "inherit" },
  );
  children.push(proc);
  await waitForPort(port, "mitmdump", proc);
  const caFile = join(confdir, "mitmproxy-ca-cert.pem");
  await waitForFile(caFile, "mitmdump");
  return { port, ca: readFileSync(caFile, "utf8"), proc };
}

/** CPU ms per request of one phase: the proxy (NaN direct), the origin, the client (this process). */
interface PhaseCpu {
  proxy: number;
  origin: number;
  client: number;
}

interface Row {
  name: string;
  get: PhaseResult;
  post: PhaseResult;
  cpu: { get: PhaseCpu; post: PhaseCpu };
  peakRssMiB?: number;
  /** Highest RssAnon seen, sampled every 50 ms during the phases (the kernel keeps no peak of it). */
  peakAnonMiB?: number;
}

const clientCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function measure(name: string, t: Target, pids: { proxy?: number; origin: number }): Promise<Row> {
  const phase = async (make: () => { method: string; path: string; body?: Buffer }, workers: number): Promise<[PhaseResult, PhaseCpu]> => {
    const before = { proxy: pids.proxy ? cpuMs(pids.proxy) : NaN, origin: cpuMs(pids.origin), client: clientCpuMs() };
    const r = await runPhase(t, workers, SECONDS, make);
    const per = (now: number, then: number) => (now - then) / Math.max(1, r.requests);
    return [r, { proxy: pids.proxy ? per(cpuMs(pids.proxy), before.proxy) : NaN, origin: per(cpuMs(pids.origin), before.origin), client: per(clientCpuMs(), before.client) }];
  };
  let peakAnon = NaN;
  const sampler = pids.proxy ? setInterval(() => (peakAnon = Math.max(Number.isNaN(peakAnon) ? 0 : peakAnon, anonMiB(pids.proxy!))), 50) : undefined;
  log(`${name}: warm-up`);
  await runPhase(t, 2, 1, () => ({ method: "GET", path: "/hello" }));
  log(`${name}: ${GET_WORKERS} connections × keep-alive GET /hello for ${SECONDS}s`);
  const [get, getCpu] = await phase(() => ({ method: "GET", path: "/hello" }), GET_WORKERS);
  log(`${name}: ${POST_WORKERS} connections × 1 MiB POST /echo for ${SECONDS}s`);
  const [post, postCpu] = await phase(() => ({ method: "POST", path: "/echo", body: MB }), POST_WORKERS);
  clearInterval(sampler);
  return { name, get, post, cpu: { get: getCpu, post: postCpu }, peakAnonMiB: pids.proxy ? peakAnon : undefined };
}

const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "-");
const rps = (p: PhaseResult) => p.requests / p.seconds;

try {
  const up = await startUpstream();
  const upstreamCa = readFileSync(up.caFile, "utf8");
  const ours = await startOurs(up.port, up.caFile);
  // The baseline is optional: without mitmproxy installed (apt-get install mitmproxy) only ours is measured.
  const mitm = Bun.which("mitmdump") ? await startMitmdump(up.caFile) : undefined;
  if (!mitm) log("mitmdump not found on PATH: measuring without the baseline");
  const origin = { host: "localhost", port: up.port };

  const direct = await measure("direct", { ...origin, ca: [upstreamCa] }, { origin: up.pid });
  const oursRow = await measure("bot-bottle", { ...origin, proxy: { host: "127.0.0.1", port: ours.port }, ca: [ours.ca] }, { proxy: ours.proc.pid, origin: up.pid });
  oursRow.peakRssMiB = peakRssMiB(ours.proc.pid);
  const rows = [direct, oursRow];
  if (mitm) {
    const mitmRow = await measure("mitmdump", { ...origin, proxy: { host: "127.0.0.1", port: mitm.port }, ca: [mitm.ca] }, { proxy: mitm.proc.pid, origin: up.pid });
    mitmRow.peakRssMiB = peakRssMiB(mitm.proc.pid);
    rows.push(mitmRow);
  }

  const added = (r: Row, phase: "get" | "post", p: number) => percentile(r[phase].latencies, p) - percentile(direct[phase].latencies, p);
  const summary = rows.map((r) => ({
    name: r.name,
    getRps: rps(r.get),
    getErrors: r.get.errors,
    getAddedP50Ms: r === direct ? 0 : added(r, "get", 50),
    getAddedP99Ms: r === direct ? 0 : added(r, "get", 99),
    postRps: rps(r.post),
    postErrors: r.post.errors,
    postAddedP50Ms: r === direct ? 0 : added(r, "post", 50),
    postAddedP99Ms: r === direct ? 0 : added(r, "post", 99),
    getP50Ms: percentile(r.get.latencies, 50),
    getP99Ms: percentile(r.get.latencies, 99),
    postP50Ms: percentile(r.post.latencies, 50),
    postP99Ms: percentile(r.post.latencies, 99),
    peakRssMiB: r.peakRssMiB,
    peakAnonMiB: r.peakAnonMiB,
    cpuMsPerRequest: r.cpu,
  }));
  const o = summary[1]!;
  const m = summary[2] ?? { ...o, getRps: NaN, postRps: NaN, getAddedP50Ms: NaN, getAddedP99Ms: NaN, postAddedP50Ms: NaN, postAddedP99Ms: NaN, peakRssMiB: NaN };
  const ratios = {
    getRps: o.getRps / m.getRps,
    postRps: o.postRps / m.postRps,
    getAddedP50: o.getAddedP50Ms / m.getAddedP50Ms,
    getAddedP99: o.getAddedP99Ms / m.getAddedP99Ms,
    postAddedP50: o.postAddedP50Ms / m.postAddedP50Ms,
    postAddedP99: o.postAddedP99Ms / m.postAddedP99Ms,
    peakRss: (o.peakRssMiB ?? NaN) / (m.peakRssMiB ?? NaN),
    getProxyCpu: o.cpuMsPerRequest.get.proxy / (summary[2]?.cpuMsPerRequest.get.proxy ?? NaN),
    postProxyCpu: o.cpuMsPerRequest.post.proxy / (summary[2]?.cpuMsPerRequest.post.proxy ?? NaN),
  };
  // What ≥ 50 % of direct needs on saturated cores: proxy CPU per POST ≤ client + origin CPU per direct POST.
  const d = summary[0]!.cpuMsPerRequest.post;
  const postBudget = o.cpuMsPerRequest.post.proxy / (d.client + d.origin);
  if (opts.json) {
    const oursOverDirect = { postRps: o.postRps / summary[0]!.postRps, getRps: o.getRps / summary[0]!.getRps };
    process.stdout.write(JSON.stringify({ seconds: SECONDS, getWorkers: GET_WORKERS, postWorkers: POST_WORKERS, rows: summary, oursOverMitmdump: ratios, oursOverDirect, postCpuOverDirectWork: postBudget }, null, 2) + "\n");
  } else {
    const lines = [
      `HTTPS through an intercepting proxy, loopback, ${SECONDS}s per phase (GET: ${GET_WORKERS} keep-alive connections; POST 1 MiB: ${POST_WORKERS}); ours has DLP on.`,
      "",
      "target       GET req/s  +p50 ms  +p99 ms  err | POST req/s  +p50 ms  +p99 ms  err | peak RSS MiB (anon)",
      ...summary.map(
        (s) =>
          `${s.name.padEnd(11)} ${fmt(s.getRps, 0).padStart(10)} ${fmt(s.getAddedP50Ms, 2).padStart(8)} ${fmt(s.getAddedP99Ms, 2).padStart(8)} ${String(s.getErrors).padStart(4)} |` +
          ` ${fmt(s.postRps, 1).padStart(10)} ${fmt(s.postAddedP50Ms, 1).padStart(8)} ${fmt(s.postAddedP99Ms, 1).padStart(8)} ${String(s.postErrors).padStart(4)} | ${s.peakRssMiB === undefined ? "-" : `${fmt(s.peakRssMiB, 0)} (${fmt(s.peakAnonMiB ?? NaN, 0)})`}`,
      ),
      "",
      "CPU ms per request  GET: proxy  origin  client | POST: proxy  origin  client",
      ...summary.map(
        (s) =>
          `${s.name.padEnd(19)} ${fmt(s.cpuMsPerRequest.get.proxy, 3).padStart(11)} ${fmt(s.cpuMsPerRequest.get.origin, 3).padStart(7)} ${fmt(s.cpuMsPerRequest.get.client, 3).padStart(7)} |` +
          ` ${fmt(s.cpuMsPerRequest.post.proxy, 2).padStart(11)} ${fmt(s.cpuMsPerRequest.post.origin, 2).padStart(7)} ${fmt(s.cpuMsPerRequest.post.client, 2).padStart(7)}`,
      ),
      "",
      `direct latency: GET p50 ${fmt(summary[0]!.getP50Ms, 2)} ms p99 ${fmt(summary[0]!.getP99Ms, 2)} ms; POST p50 ${fmt(summary[0]!.postP50Ms, 1)} ms p99 ${fmt(summary[0]!.postP99Ms, 1)} ms`,
      `ours / direct: POST req/s ×${fmt(o.postRps / summary[0]!.postRps, 2)} (target ≥ 0.50), GET req/s ×${fmt(o.getRps / summary[0]!.getRps, 2)}`,
      `ours POST CPU / (client + origin CPU of a direct POST): ×${fmt(postBudget, 2)} (≤ 1.00 is what ≥ 50 % of direct needs on saturated cores)`,
      !mitm ? "ours / mitmdump: no baseline (mitmdump not installed)" : `ours / mitmdump: GET req/s ×${fmt(ratios.getRps, 2)}, POST req/s ×${fmt(ratios.postRps, 2)}, added GET p50 ×${fmt(ratios.getAddedP50, 2)} p99 ×${fmt(ratios.getAddedP99, 2)}, added POST p50 ×${fmt(ratios.postAddedP50, 2)} p99 ×${fmt(ratios.postAddedP99, 2)}, peak RSS ×${fmt(ratios.peakRss, 2)}, proxy CPU per request GET ×${fmt(ratios.getProxyCpu, 2)} POST ×${fmt(ratios.postProxyCpu, 2)}`,
    ];
    process.stdout.write(lines.join("\n") + "\n");
  }
} finally {
  cleanup();
}
