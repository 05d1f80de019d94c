import { afterAll, describe, expect, test } from "bun:test";
import { doctorExitCode, evaluate, formatReport, type HostFacts } from "../../../src/doctor/checks.ts";
import { kvmFacts } from "../../../src/doctor/probe.ts";
import { removeTempDirs, tempDir } from "../../fakes/smolvm-lib/testing.ts";

afterAll(removeTempDirs);

const GOOD: HostFacts = {
  defaultBackend: "docker",
  dockerClient: "/usr/bin/docker",
  dockerEngine: { ok: true, version: "20.10.24" },
  images: [
    { role: "base", ref: "debian:bookworm-slim", present: true },
    { role: "bundle base", ref: "debian:bookworm-slim", present: true },
    { role: "registry", ref: "registry:2", present: true },
  ],
  smolvm: { path: "/usr/local/bin/smolvm", versionOutput: "smolvm 1.9.3\n" },
  kvm: { exists: true, accessible: true },
  crane: { path: "/usr/local/bin/crane" },
  platform: "linux",
};

const facts = (over: Partial<HostFacts>): HostFacts => ({ ...GOOD, ...over });
const status = (f: HostFacts, id: string) => evaluate(f).checks.find((c) => c.id === id)?.status;

describe("evaluate", () => {
  test("a complete host: both usable, nothing to fix", () => {
    const r = evaluate(GOOD);
    expect(r.usable).toEqual({ docker: true, smolmachines: true });
    expect(r.checks.every((c) => c.status === "ok")).toBe(true);
  });

  // [what, facts, docker usable, smolmachines usable, failing/warning check, its status, words in its fix]
  const CASES: [string, Partial<HostFacts>, boolean, boolean, string, string, string][] = [
    ["no docker client", { dockerClient: null, dockerEngine: null }, false, false, "docker-client", "fail", "apt-get install docker.io"],
    ["engine down", { dockerEngine: { ok: false, error: "Cannot connect to the Docker daemon" } }, false, false, "docker-engine", "fail", "dockerd"],
    ["engine permission", { dockerEngine: { ok: false, error: "permission denied while trying to connect" } }, false, false, "docker-engine", "fail", "usermod -aG docker"],
    ["no smolvm", { smolvm: { path: null } }, true, false, "smolvm", "fail", "BOT_BOTTLE_SMOLVM"],
    ["smolvm too old", { smolvm: { path: "/s", versionOutput: "smolvm 0.7.0" } }, true, false, "smolvm", "fail", "0.8 or newer"],
    ["smolvm unreadable", { smolvm: { path: "/s", error: "exec format error" } }, true, false, "smolvm", "fail", "reinstall"],
    ["smolvm 0.8: works, egress filter warned", { smolvm: { path: "/s", versionOutput: "smolvm 0.8.2" } }, true, true, "smolvm-egress-filter", "warn", "1.8"],
    ["no /dev/kvm", { kvm: { exists: false, accessible: false } }, true, false, "kvm", "fail", "modprobe"],
    ["/dev/kvm not accessible", { kvm: { exists: true, accessible: false } }, true, false, "kvm", "fail", "usermod -aG kvm"],
    ["no crane", { crane: { path: null } }, true, false, "crane", "fail", "BOT_BOTTLE_CRANE"],
    ["base image missing: a warning", { images: [{ role: "base", ref: "x:1", present: false }] }, true, true, "image-base", "warn", "docker pull x:1"],
    ["no registry image but crane", { images: [{ role: "registry", ref: "registry:2", present: false }] }, true, true, "image-registry", "ok", ""],
    ["no registry image, no crane", { images: [{ role: "registry", ref: "registry:2", present: false }], crane: { path: null } }, true, false, "image-registry", "warn", "install crane"],
  ];
  test.each(CASES)("%s", (_n, over, docker, smol, id, st, fixWords) => {
    const r = evaluate(facts(over));
    expect(r.usable).toEqual({ docker, smolmachines: smol });
    const c = r.checks.find((c) => c.id === id)!;
    expect(c.status).toBe(st as any);
    if (fixWords) expect(c.fix).toContain(fixWords);
  });

  test("no kvm check off Linux (smolvm uses Hypervisor.framework there)", () => {
    expect(status(facts({ platform: "darwin", kvm: { exists: false, accessible: false } }), "kvm")).toBeUndefined();
  });
  test("images are not judged when the engine is down", () => {
    const r = evaluate(facts({ dockerEngine: { ok: false, error: "x" }, images: [{ role: "base", ref: "b", present: undefined }] }));
    expect(r.checks.some((c) => c.id.startsWith("image-"))).toBe(false);
  });
});

test("exit code follows the default backend, or the one asked about", () => {
  const r = evaluate(facts({ smolvm: { path: null } }));
  expect(doctorExitCode(r)).toBe(0);
  expect(doctorExitCode(r, "smolmachines")).toBe(1);
  expect(doctorExitCode(evaluate(facts({ defaultBackend: "smolmachines", smolvm: { path: null } })))).toBe(1);
});

test("formatReport: per backend, marks and fixes", () => {
  const out = formatReport(evaluate(facts({ kvm: { exists: false, accessible: false }, defaultBackend: "smolmachines" })));
  expect(out).toContain("docker: usable");
  expect(out).toContain("smolmachines (default): NOT usable");
  expect(out).toContain("✖ /dev/kvm: missing");
  expect(out).toContain("fix: enable virtualisation");
});

test("kvmFacts", () => {
  expect(kvmFacts("/nonexistent/kvm")).toEqual({ exists: false, accessible: false });
  const f = `${tempDir("kvm-")}/kvm`;
  require("node:fs").writeFileSync(f, "");
  expect(kvmFacts(f)).toEqual({ exists: true, accessible: true });
});
