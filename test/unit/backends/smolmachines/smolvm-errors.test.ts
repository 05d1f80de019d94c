import { describe, expect, test } from "bun:test";
import { classifySmolvmFailure, smolvmError } from "../../../../src/backends/smolmachines/smolvm-errors.ts";

// Real stderr shapes of smolvm 0.8.2 (src/main.rs prints `Error: {e}`; clap exits 2).
const CASES: [string, number, string, string][] = [
  ["clap usage", 2, "error: unexpected argument '--name' found\n\nUsage: smolvm machine create [OPTIONS] [NAME]\n\nFor more information, try '--help'.\n", "usage"],
  ["no kvm", 1, "Error: agent operation failed: start machine: kvm not available: KVM not available. Ensure KVM kernel module is loaded.\nTry: sudo modprobe kvm\n", "kvm-missing"],
  ["kvm permission", 1, "Error: kvm permission denied: Cannot access /dev/kvm (permission denied).\nAdd your user to the 'kvm' group:\n", "kvm-permission"],
  ["not running", 1, "Error: agent operation failed: connect: machine 'm' is not running. Use 'smolvm machine start --name m' first.\n", "not-running"],
  ["not found", 1, "Error: vm not found: m\n", "not-found"],
  ["not found (connect)", 1, "Error: agent operation failed: connect: machine 'm' not found\n", "not-found"],
  ["exists", 1, "Error: config operation failed: create machine: machine 'm' already exists\n", "exists"],
  ["bad name", 1, "Error: config operation failed: create machine: machine name cannot contain consecutive hyphens\n", "bad-name"],
  ["other", 1, "Starting machine 'm'...\nError: agent operation failed: pull image: MANIFEST_UNKNOWN\n", "other"],
];

describe("classifySmolvmFailure", () => {
  test.each(CASES)("%s", (_n, code, stderr, kind) => expect(classifySmolvmFailure(code, stderr).kind).toBe(kind as any));
  test("message is smolvm's own, without the prefix", () => {
    expect(classifySmolvmFailure(1, "Starting…\nError: vm not found: m\n").message).toBe("vm not found: m");
  });
  test("an `Error:` line wins over exit code 2", () => {
    expect(classifySmolvmFailure(2, "Error: vm not found: m").kind).toBe("not-found");
  });
});

describe("smolvmError", () => {
  test("carries a hint for the known failures", () => {
    for (const [, code, stderr, kind] of CASES) {
      const e = smolvmError("machine start", code, stderr);
      expect(e.code).toBe("SMOLVM");
      expect(e.message).toContain("smolvm machine start");
      if (kind === "other") expect(e.hint).toBeUndefined();
      else expect(e.hint).toBeTruthy();
    }
  });
  test("usage errors say so", () => {
    expect(smolvmError("machine create", 2, "error: unexpected argument 'x' found").message).toContain("usage error (exit 2)");
    expect(smolvmError("machine create", 2, "error: x").hint).toContain("doctor");
  });
  test("kvm hints name the fix", () => {
    expect(smolvmError("machine start", 1, CASES[1]![2]).hint).toContain("modprobe");
    expect(smolvmError("machine start", 1, CASES[2]![2]).hint).toContain("usermod -aG kvm");
  });
});
