// Gather the facts doctor judges (checks.ts): what is installed, what answers.
// Every probe is bounded in time and never throws.
import { accessSync, constants, existsSync } from "node:fs";
import type { Config } from "../config/config.ts";
import { craneWhich } from "../backends/smolmachines/crane.ts";
import { run as defaultRunner, type Runner } from "../util/run.ts";
import type { HostFacts } from "./checks.ts";

const TIMEOUT_MS = 10_000;

async function tryRun(runner: Runner, argv: string[], env?: Record<string, string | undefined>) {
  try {
    return await runner(argv, { timeoutMs: TIMEOUT_MS, env });
  } catch (e) {
    return { argv, code: 127, stdout: "", stderr: (e as Error).message };
  }
}

const firstLine = (s: string) => s.trim().split("\n").find(Boolean)?.trim() ?? "";

export function kvmFacts(path = "/dev/kvm"): HostFacts["kvm"] {
  if (!existsSync(path)) return { exists: false, accessible: false };
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return { exists: true, accessible: true };
  } catch {
    return { exists: true, accessible: false };
  }
}

export async function probeHost(config: Config, env: Record<string, string | undefined> = process.env, runner: Runner = defaultRunner): Promise<HostFacts> {
  const which = (bin: string) => (bin.includes("/") ? (existsSync(bin) ? bin : null) : Bun.which(bin, { PATH: env.PATH ?? "" }));
  const dockerClient = which("docker");
  let dockerEngine: HostFacts["dockerEngine"] = null;
  const images: HostFacts["images"] = [
    { role: "base", ref: config.baseImage, present: undefined },
    { role: "bundle base", ref: config.bundleBaseImage, present: undefined },
    { role: "registry", ref: config.registryImage, present: undefined },
  ];
  if (dockerClient) {
    const v = await tryRun(runner, ["docker", "version", "--format", "{{.Server.Version}}"], env);
    dockerEngine = v.code === 0 && firstLine(v.stdout) ? { ok: true, version: firstLine(v.stdout) } : { ok: false, error: firstLine(v.stderr) || `exit ${v.code}` };
    if (dockerEngine.ok) {
      await Promise.all(
        images.map(async (img) => {
          img.present = (await tryRun(runner, ["docker", "image", "inspect", "--format", "{{.Id}}", img.ref], env)).code === 0;
        }),
      );
    }
  }
  const smolvmPath = which(env.BOT_BOTTLE_SMOLVM || "smolvm");
  const smolvm: HostFacts["smolvm"] = { path: smolvmPath };
  if (smolvmPath) {
    const v = await tryRun(runner, [smolvmPath, "--version"], env);
    if (v.code === 0) smolvm.versionOutput = v.stdout;
    else smolvm.error = firstLine(v.stderr) || `exit ${v.code}`;
  }
  return {
    defaultBackend: config.backend,
    configFile: config.file,
    dockerClient,
    dockerEngine,
    images,
    smolvm,
    kvm: kvmFacts(env.BOT_BOTTLE_KVM_DEVICE || "/dev/kvm"),
    crane: { path: craneWhich(env) },
    platform: process.platform,
  };
}
