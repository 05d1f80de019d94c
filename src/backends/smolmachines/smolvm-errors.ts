// Pure: a failed smolvm call → one BottleError with a hint that says what to do.
// smolvm prints `Error: <message>` on stderr and exits 1 for its own errors
// (src/main.rs); clap prints usage errors and exits 2. Messages follow
// smolvm's data/errors.rs wording ("vm not found: X", "agent operation
// failed: connect: machine 'X' is not running. …", "kvm not available: …").
import { BottleError } from "../../util/errors.ts";

export type SmolvmFailure = "usage" | "kvm-missing" | "kvm-permission" | "not-running" | "not-found" | "exists" | "bad-name" | "other";

export interface ClassifiedFailure {
  kind: SmolvmFailure;
  /** smolvm's own message without the `Error: ` prefix (first line). */
  message: string;
}

export function classifySmolvmFailure(code: number, stderr: string): ClassifiedFailure {
  const text = stderr.trim();
  const errLine = /^Error:\s*(.*)$/m.exec(text);
  const message = (errLine?.[1] ?? text.split("\n")[0] ?? "").trim() || `exit ${code}`;
  const rest = errLine ? text.slice(errLine.index) : text;
  if (code === 2 && !errLine) return { kind: "usage", message };
  if (/kvm permission denied|Cannot access \/dev\/kvm/i.test(rest)) return { kind: "kvm-permission", message };
  if (/kvm not available|\/dev\/kvm|hypervisor not available/i.test(rest)) return { kind: "kvm-missing", message };
  if (/is not running/.test(rest)) return { kind: "not-running", message };
  if (/vm not found:|machine '[^']*' not found|VM '[^']*' not found/.test(rest)) return { kind: "not-found", message };
  if (/already exists/.test(rest)) return { kind: "exists", message };
  if (/machine name (cannot|must|contains|too long)/.test(rest)) return { kind: "bad-name", message };
  return { kind: "other", message };
}

const HINTS: Record<SmolvmFailure, string | undefined> = {
  usage: "this smolvm does not accept bot-bottle's arguments: run `bot-bottle doctor` to check its version (0.8 or newer)",
  "kvm-missing": "smolvm needs KVM: load the module (`sudo modprobe kvm_intel` or `kvm_amd`) or use --backend docker",
  "kvm-permission": "add yourself to the kvm group (`sudo usermod -aG kvm $USER`, then log in again) or use --backend docker",
  "not-running": "the bottle's machine is stopped: `bot-bottle resume <bottle>` starts it again",
  "not-found": "the machine is gone: `bot-bottle rm <bottle>` clears the record, then launch again",
  exists: "a machine with this name is left over: `bot-bottle rm <bottle>` or `bot-bottle gc` removes it",
  "bad-name": "use letters, digits, '_' and single '-', starting with a letter or digit",
  other: undefined,
};

/** `what` names the step ("machine create"); the result is thrown by callers. */
export function smolvmError(what: string, code: number, stderr: string): BottleError {
  const f = classifySmolvmFailure(code, stderr);
  const head = f.kind === "usage" ? `smolvm ${what}: usage error (exit 2): ${f.message}` : `smolvm ${what} failed: ${f.message}`;
  return new BottleError("SMOLVM", head, { hint: HINTS[f.kind] });
}
