// FAKE_SMOLVM_DOCKER=1: each started machine is a docker container made from
// the packed image (its id travels registry → artifact → machine record), so
// `machine exec` / `machine cp` really run and provision files.
//
// Networking stands in for TSI: a guest with --net makes its connections from
// the host's network stack, so the container uses `--network host`; without
// --net it gets `--network none`. --allow-cidr is recorded, not enforced
// (the real 0.8.x ignores it for --from machines anyway).
import { createHash } from "node:crypto";
import type { MachineRecord } from "./state.ts";

export const enabled = () => process.env.FAKE_SMOLVM_DOCKER === "1";

export const STANDIN_LABEL = "fake-smolvm.state";

export function containerName(stateDir: string, machine: string): string {
  const h = createHash("sha256").update(stateDir).digest("hex").slice(0, 8);
  return `fake-smolvm-${h}-${machine}`.toLowerCase().replace(/[^a-z0-9_.-]/g, "-");
}

function docker(args: string[], inherit = false): { code: number; stdout: string; stderr: string } {
  const p = Bun.spawnSync(["docker", ...args], {
    stdin: inherit ? "inherit" : "ignore",
    stdout: inherit ? "inherit" : "pipe",
    stderr: inherit ? "inherit" : "pipe",
  });
  return { code: p.exitCode ?? 1, stdout: p.stdout?.toString() ?? "", stderr: p.stderr?.toString() ?? "" };
}

/** Start (creating on first start) the stand-in; returns an error message or null. */
export function startStandin(stateDir: string, m: MachineRecord): string | null {
  const name = containerName(stateDir, m.name);
  if (docker(["container", "inspect", name]).code === 0) {
    const r = docker(["start", name]);
    return r.code === 0 ? null : r.stderr.trim();
  }
  if (!m.imageId) return "machine has no image";
  const args = ["run", "-d", "--name", name, "--label", `${STANDIN_LABEL}=${stateDir}`, "--network", m.network ? "host" : "none"];
  args.push("--entrypoint", "sleep", m.imageId, "infinity");
  const r = docker(args);
  return r.code === 0 ? null : r.stderr.trim();
}

export function stopStandin(stateDir: string, machine: string): void {
  docker(["stop", "--time", "1", containerName(stateDir, machine)]);
}

export function removeStandin(stateDir: string, machine: string): void {
  docker(["rm", "--force", containerName(stateDir, machine)]);
}

export function execStandin(stateDir: string, machine: string, o: { env: string[]; workdir?: string; interactive: boolean; tty: boolean; command: string[] }): number {
  const args = ["exec"];
  if (o.interactive) args.push("-i");
  // docker refuses -t without a terminal; smolvm just allocates a pty.
  if (o.tty && process.stdin.isTTY) args.push("-t");
  for (const e of o.env) args.push("-e", e);
  if (o.workdir) args.push("-w", o.workdir);
  args.push(containerName(stateDir, machine), ...o.command);
  return docker(args, true).code;
}

export function cpIntoStandin(stateDir: string, machine: string, src: string, dst: string): string | null {
  const r = docker(["cp", src, `${containerName(stateDir, machine)}:${dst}`]);
  return r.code === 0 ? null : r.stderr.trim();
}
