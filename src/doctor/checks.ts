// Pure: facts about this host → one verdict per check and per backend.
// probe.ts gathers the facts; this file decides what they mean and what the
// operator should do, so every message is unit-tested without a host.
import { isSupportedVersion, parseSmolvmVersion, fromHonoursAllowCidr } from "../backends/smolmachines/smolvm-argv.ts";

export type Backend = "docker" | "smolmachines";

export interface HostFacts {
  defaultBackend: Backend;
  configFile?: string;
  dockerClient: string | null;
  /** Server version, or the error text when the engine did not answer. */
  dockerEngine: { ok: true; version: string } | { ok: false; error: string } | null;
  /** Configured image → present in the engine (undefined when the engine is down). */
  images: { role: "base" | "bundle base" | "registry"; ref: string; present: boolean | undefined }[];
  smolvm: { path: string | null; versionOutput?: string; error?: string };
  kvm: { exists: boolean; accessible: boolean };
  crane: { path: string | null };
  platform: string;
}

export type Status = "ok" | "warn" | "fail";

export interface CheckResult {
  id: string;
  /** Which backends need it. */
  for: Backend[];
  status: Status;
  title: string;
  detail: string;
  fix?: string;
}

export interface DoctorReport {
  defaultBackend: Backend;
  configFile?: string;
  usable: Record<Backend, boolean>;
  checks: CheckResult[];
}

const BOTH: Backend[] = ["docker", "smolmachines"];
const SMOL: Backend[] = ["smolmachines"];

export function evaluate(f: HostFacts): DoctorReport {
  const checks: CheckResult[] = [];
  const add = (c: CheckResult) => checks.push(c);

  add(
    f.dockerClient
      ? { id: "docker-client", for: BOTH, status: "ok", title: "docker client", detail: f.dockerClient }
      : { id: "docker-client", for: BOTH, status: "fail", title: "docker client", detail: "not found on PATH", fix: "install docker (Debian/Ubuntu: `apt-get install docker.io`); both backends run the bundle as a container" },
  );
  if (f.dockerClient) {
    const e = f.dockerEngine;
    add(
      e?.ok
        ? { id: "docker-engine", for: BOTH, status: "ok", title: "docker engine", detail: `reachable (server ${e.version})` }
        : {
            id: "docker-engine",
            for: BOTH,
            status: "fail",
            title: "docker engine",
            detail: e && !e.ok ? `not reachable: ${e.error}` : "not reachable",
            fix: /permission denied/i.test(e && !e.ok ? e.error : "")
              ? "add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again)"
              : "start it (`sudo systemctl start docker`, or `dockerd &`) and check `docker info`",
          },
    );
  }
  for (const img of f.images) {
    const id = `image-${img.role.replace(/ /g, "-")}`;
    const forWhom = img.role === "registry" ? SMOL : BOTH;
    if (img.present === undefined) continue;
    if (img.present) {
      add({ id, for: forWhom, status: "ok", title: `${img.role} image`, detail: `${img.ref} present` });
    } else if (img.role === "registry") {
      add({
        id,
        for: SMOL,
        status: f.crane.path ? "ok" : "warn",
        title: "registry image",
        detail: `${img.ref} not present${f.crane.path ? " (crane serves the pack registry instead)" : ""}`,
        fix: f.crane.path ? undefined : `\`docker pull ${img.ref}\` (or load it), or install crane; set registry_image / BOT_BOTTLE_REGISTRY_IMAGE to use another`,
      });
    } else {
      add({
        id,
        for: BOTH,
        status: "warn",
        title: `${img.role} image`,
        detail: `${img.ref} not present: the first launch pulls it`,
        fix: `\`docker pull ${img.ref}\`; without a registry, import one (debootstrap + \`docker import\`) or set ${img.role === "base" ? "base_image / BOT_BOTTLE_BASE_IMAGE" : "bundle_base_image / BOT_BOTTLE_BUNDLE_BASE_IMAGE"}`,
      });
    }
  }

  const v = f.smolvm.versionOutput ? parseSmolvmVersion(f.smolvm.versionOutput) : null;
  if (!f.smolvm.path) {
    add({ id: "smolvm", for: SMOL, status: "fail", title: "smolvm", detail: "not found on PATH", fix: "install smolvm 0.8 or newer, or set BOT_BOTTLE_SMOLVM to its path" });
  } else if (!v) {
    add({ id: "smolvm", for: SMOL, status: "fail", title: "smolvm", detail: `${f.smolvm.path}: cannot read its version${f.smolvm.error ? `: ${f.smolvm.error}` : ""}`, fix: "reinstall smolvm 0.8 or newer" });
  } else if (!isSupportedVersion(v)) {
    add({ id: "smolvm", for: SMOL, status: "fail", title: "smolvm", detail: `${v.raw} is too old (${f.smolvm.path})`, fix: "upgrade to smolvm 0.8 or newer" });
  } else {
    add({ id: "smolvm", for: SMOL, status: "ok", title: "smolvm", detail: `${v.raw} (${f.smolvm.path})` });
    if (!fromHonoursAllowCidr(v)) {
      add({
        id: "smolvm-egress-filter",
        for: SMOL,
        status: "warn",
        title: "smolvm egress filter",
        detail: `${v.raw} ignores --allow-cidr for packed machines: the VM's network is not filtered, only the bundle's proxy governs what goes through it`,
        fix: "upgrade to smolvm 1.8 or newer for the IP filter",
      });
    }
  }

  if (f.platform === "linux") {
    if (!f.kvm.exists) {
      add({ id: "kvm", for: SMOL, status: "fail", title: "/dev/kvm", detail: "missing", fix: "enable virtualisation and load KVM (`sudo modprobe kvm_intel` or `kvm_amd`); nested VMs need it enabled by the host" });
    } else if (!f.kvm.accessible) {
      add({ id: "kvm", for: SMOL, status: "fail", title: "/dev/kvm", detail: "present but not readable and writable by you", fix: "`sudo usermod -aG kvm $USER`, then log in again" });
    } else add({ id: "kvm", for: SMOL, status: "ok", title: "/dev/kvm", detail: "present and accessible" });
  }

  if (f.crane.path) add({ id: "crane", for: SMOL, status: "ok", title: "crane", detail: f.crane.path });
  else {
    add({
      id: "crane",
      for: SMOL,
      // crane pushes every pack; without it no new image can be packed.
      status: "fail",
      title: "crane",
      detail: "not found on PATH",
      fix: "install crane (go-containerregistry; e.g. `go install github.com/google/go-containerregistry/cmd/crane@latest`) or set BOT_BOTTLE_CRANE",
    });
  }

  const usable = (b: Backend) => checks.filter((c) => c.for.includes(b)).every((c) => c.status !== "fail");
  return { defaultBackend: f.defaultBackend, configFile: f.configFile, usable: { docker: usable("docker"), smolmachines: usable("smolmachines") }, checks };
}

/** Exit code: 0 when the backend asked about (default: the configured one) is usable. */
export function doctorExitCode(r: DoctorReport, backend: Backend = r.defaultBackend): number {
  return r.usable[backend] ? 0 : 1;
}

const MARK: Record<Status, string> = { ok: "✔", warn: "!", fail: "✖" };

export function formatReport(r: DoctorReport): string {
  const lines: string[] = [];
  for (const b of ["docker", "smolmachines"] as const) {
    const tag = b === r.defaultBackend ? " (default)" : "";
    lines.push(`${b}${tag}: ${r.usable[b] ? "usable" : "NOT usable"}`);
    for (const c of r.checks.filter((c) => c.for.includes(b))) {
      lines.push(`  ${MARK[c.status]} ${c.title}: ${c.detail}`);
      if (c.fix && c.status !== "ok") lines.push(`      fix: ${c.fix}`);
    }
  }
  if (r.configFile) lines.push(`config: ${r.configFile}`);
  return lines.join("\n") + "\n";
}
