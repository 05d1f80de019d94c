// The file protocol between the supervise daemon (in the bundle) and the
// operator (on the host). The supervise folder is a host bind mount:
//   requests/<id>.json  written by the daemon (an approval asked, a notification)
//   answers/<id>.json   written by the operator (or by the daemon on timeout)
// Every write is atomic (temp file + rename/link in the same folder), so a
// reader never sees half a file; an answer is created exclusively, so the
// first answer wins and a late one is reported, not silently lost.
import { chmodSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import * as v from "valibot";

export const requestSchema = v.object({
  id: v.pipe(v.string(), v.regex(/^[a-z0-9]{6,32}$/)),
  /** approval: request_approval; notify: a message; egress: the proxy holds a request to a host outside the allowlist (ask-to-allow). */
  kind: v.picklist(["approval", "notify", "egress"]),
  /** What the agent wants to do (approval) or what it says (notify). */
  action: v.string(),
  reason: v.string(),
  at: v.string(),
  /** When the daemon stops waiting and answers "timeout" (approvals only). */
  expiresAt: v.optional(v.string()),
  /** Egress questions: what the agent tried, and how often while it waited (concurrent requests share the question). */
  egress: v.optional(
    v.object({
      host: v.string(),
      port: v.number(),
      method: v.string(),
      path: v.string(),
      /** The allowlist entry an "allow" adds (host, or host:port off the default port). */
      entry: v.string(),
      count: v.number(),
      firstSeen: v.string(),
      lastSeen: v.string(),
    }),
  ),
});

/** Answers to an approval. */
export const APPROVAL_DECISIONS = ["approve", "approve-always", "deny"] as const;
/** Answers to an egress question: this request (and those waiting with it), this bottle (live), this bottle and its manifest; deny it, deny and never ask again. */
export const EGRESS_DECISIONS = ["allow-once", "allow", "allow-save", "deny", "deny-always"] as const;

export const answerSchema = v.object({
  id: v.string(),
  decision: v.picklist(["approve", "approve-always", "allow-once", "allow", "allow-save", "deny", "deny-always", "timeout", "cancelled"]),
  note: v.string(),
  /** approve-always: the action pattern approved from now on (a glob: `*` matches anything). */
  pattern: v.optional(v.string()),
  at: v.string(),
  /** "operator" when a person answered; "daemon" for timeouts and cancellations. */
  by: v.picklist(["operator", "daemon"]),
});

export type SuperviseRequest = v.InferOutput<typeof requestSchema>;
export type SuperviseAnswer = v.InferOutput<typeof answerSchema>;
export type Decision = SuperviseAnswer["decision"];

export const requestsDir = (dir: string) => join(dir, "requests");
export const answersDir = (dir: string) => join(dir, "answers");
export const requestFile = (dir: string, id: string) => join(requestsDir(dir), `${id}.json`);
export const answerFile = (dir: string, id: string) => join(answersDir(dir), `${id}.json`);

/** 12 hex digits: unique enough across every bottle of one operator, short enough to type. */
export function newRequestId(): string {
  return randomBytes(6).toString("hex");
}

/**
 * Create both folders. The bundle may run as another user (root in docker)
 * than the operator: open them to both (the bottle folder above is private).
 */
export function ensureSuperviseDirs(dir: string): void {
  for (const d of [requestsDir(dir), answersDir(dir)]) {
    mkdirSync(d, { recursive: true });
    try {
      chmodSync(d, 0o777);
    } catch {
      // Not ours to change: the owner made it usable already.
    }
  }
}

function tempPath(path: string): string {
  const slash = path.lastIndexOf("/");
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.${randomBytes(4).toString("hex")}.tmp`;
}

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = tempPath(path);
  writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n", { mode: 0o644 });
  renameSync(tmp, path);
}

/** Atomic and exclusive: false (nothing written) when the file exists already. */
export function writeJsonExclusive(path: string, value: unknown): boolean {
  const tmp = tempPath(path);
  writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n", { mode: 0o644 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    // Filesystems without hard links (some VM shares): check, then rename.
    if (existsJson(path)) return false;
    renameSync(tmp, path);
    return true;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Renamed away already.
    }
  }
}

function existsJson(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}

function readJson<T>(path: string, schema: v.GenericSchema<unknown, T>): T | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
  const r = v.safeParse(schema, raw);
  return r.success ? r.output : null;
}

export function readAnswer(dir: string, id: string): SuperviseAnswer | null {
  return readJson(answerFile(dir, id), answerSchema);
}

export function readRequest(dir: string, id: string): SuperviseRequest | null {
  return readJson(requestFile(dir, id), requestSchema);
}

/** Every readable request of a folder, oldest first; unreadable files are skipped. */
export function listRequests(dir: string): SuperviseRequest[] {
  let names: string[];
  try {
    names = readdirSync(requestsDir(dir));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(".json") && !n.startsWith("."))
    .map((n) => readRequest(dir, n.slice(0, -5)))
    .filter((r): r is SuperviseRequest => r !== null)
    .sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
}

export function writeRequest(dir: string, req: SuperviseRequest): void {
  writeJsonAtomic(requestFile(dir, req.id), req);
}

/** The first answer wins; returns whether this one was it. */
export function writeAnswer(dir: string, answer: SuperviseAnswer): boolean {
  return writeJsonExclusive(answerFile(dir, answer.id), answer);
}

/** The text the agent gets back from request_approval. */
export function answerText(a: SuperviseAnswer, timeoutSeconds: number): string {
  const note = a.note ? ` Operator's note: ${a.note}` : "";
  switch (a.decision) {
    case "approve":
    case "approve-always":
    case "allow":
    case "allow-once":
    case "allow-save":
      return `approved: the operator approved this action.${note}`;
    case "deny-always":
    case "deny":
      return `denied: the operator denied this action; do not do it.${note}`;
    case "timeout":
      return `timeout: no answer within ${timeoutSeconds} seconds; treat this as denied.`;
    case "cancelled":
      return "cancelled: the request was withdrawn; treat this as denied.";
  }
}
