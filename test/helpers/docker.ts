// Tests that need a docker engine ask here once; without one they skip with a
// printed reason (laptops without docker), while CI always has an engine.
import { run } from "../../src/util/run.ts";

export interface DockerStatus {
  ok: boolean;
  reason?: string;
  version?: string;
}

let cached: Promise<DockerStatus> | undefined;

export function dockerStatus(): Promise<DockerStatus> {
  cached ??= (async () => {
    if (!Bun.which("docker")) return { ok: false, reason: "no docker CLI on PATH" };
    const res = await run(["docker", "info", "--format", "{{.ServerVersion}}"], { timeoutMs: 15_000 }).catch((e: Error) => ({
      code: 1,
      stdout: "",
      stderr: e.message,
    }));
    if (res.code !== 0) return { ok: false, reason: `docker info failed: ${(res.stderr || res.stdout).trim().split("\n")[0]}` };
    return { ok: true, version: res.stdout.trim() };
  })();
  return cached;
}

/** Prints why a group of tests is skipped, so a green run never hides that it ran nothing. */
export async function requireDocker(what: string): Promise<boolean> {
  const s = await dockerStatus();
  if (!s.ok) console.log(`SKIP ${what}: ${s.reason}`);
  return s.ok;
}

export async function imageExists(ref: string): Promise<boolean> {
  return (await run(["docker", "image", "inspect", "--format", "{{.Id}}", ref], { timeoutMs: 15_000 })).code === 0;
}

/** `docker …` that must succeed; returns stdout. */
export async function docker(args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<string> {
  const res = await run(["docker", ...args], { stdin: opts.stdin, timeoutMs: opts.timeoutMs ?? 120_000 });
  if (res.code !== 0) throw new Error(`docker ${args.slice(0, 3).join(" ")} failed (exit ${res.code}): ${res.stderr.trim()}`);
  return res.stdout;
}

/** `docker exec` that may fail: the probes expect failures. */
export async function dockerExec(
  container: string,
  argv: string[],
  opts: { user?: string; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const userArgs = opts.user ? ["--user", opts.user] : [];
  const res = await run(["docker", "exec", ...userArgs, container, ...argv], { timeoutMs: opts.timeoutMs ?? 60_000 });
  return { code: res.code, stdout: res.stdout, stderr: res.stderr };
}

/**
 * A network's gateway address: the host as seen from containers on it. The
 * default bridge does not list its gateway, so fall back to the address of
 * its host interface (the engine runs on this machine in every test setup).
 */
export async function networkGateway(network: string): Promise<string> {
  const out = await docker(["network", "inspect", "--format", '{{range .IPAM.Config}}{{.Gateway}} {{end}}|{{index .Options "com.docker.network.bridge.name"}}', network]);
  const [gateways = "", bridge = ""] = out.trim().split("|");
  const gw = gateways.split(/\s+/).find((s) => /^\d+\.\d+\.\d+\.\d+$/.test(s));
  if (gw) return gw;
  // os.networkInterfaces() omits a bridge with no container attached (no carrier): ask ip(8).
  const ip = bridge ? await run(["ip", "-4", "-o", "addr", "show", "dev", bridge], { timeoutMs: 10_000 }).catch(() => undefined) : undefined;
  const addr = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(ip?.stdout ?? "")?.[1];
  if (!addr) throw new Error(`network ${network} has no IPv4 gateway (bridge ${bridge || "unknown"})`);
  return addr;
}

/** Container → its IPv4 address per network. */
export async function containerIps(container: string): Promise<Record<string, string>> {
  const out = await docker(["inspect", "--format", "{{json .NetworkSettings.Networks}}", container]);
  const nets = JSON.parse(out) as Record<string, { IPAddress: string }>;
  return Object.fromEntries(Object.entries(nets).map(([k, v]) => [k, v.IPAddress]));
}

/** Synchronous check for module-level `describe.skipIf`: does a docker engine answer? Prints why not. */
export function dockerAnswers(what: string): boolean {
  const ok = Bun.which("docker") !== null && Bun.spawnSync(["docker", "info"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
  if (!ok) console.log(`skipping ${what}: \`docker info\` fails (no docker engine here)`);
  return ok;
}
