// The egress audit log: one JSON line per decision, appended by the proxy in
// the bundle and read on the host by `bot-bottle logs --egress`.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { readJsonLines } from "../../util/jsonl.ts";
import { inert } from "../../util/inert.ts";

export type AuditDecision = "allow" | "deny" | "block" | "error";

export interface AuditRecord {
  /** ISO time the decision was made. */
  time: string;
  /** Client address (the agent). */
  client: string;
  /** HTTP method, or "CONNECT" for tunnels. */
  method: string;
  host: string;
  port: number;
  /** Path with query values redacted. */
  path?: string;
  /** allow: forwarded; deny: not in allowlist / SSRF; block: DLP or placeholder leak; error: protocol or upstream failure. */
  decision: AuditDecision;
  reason?: string;
  /** Host of the egress route used. */
  route?: string;
  /** True when TLS was intercepted. */
  intercepted?: boolean;
  status?: number;
  /** Request body bytes sent upstream. */
  bytesOut?: number;
  /** Response body bytes sent back to the agent. */
  bytesIn?: number;
  ms?: number;
  /** Markers that replaced DLP findings in the request body (credential routes, dlp = "redact"). */
  redacted?: string[];
  /** Bundle env names of real credentials found in the response and replaced by placeholders. */
  scrubbed?: string[];
}

export class AuditLog {
  private fd: number | undefined;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, "a", 0o640);
  }

  /** Synchronous append: a line survives even if the bundle is killed right after. */
  write(rec: AuditRecord): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, JSON.stringify(rec) + "\n");
    } catch {
      // A full disk must not take the proxy down; the decision itself already happened.
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** All records in an audit file (missing file: none). Lines that are not records are skipped. */
export function readAudit(file: string): AuditRecord[] {
  return readJsonLines(file, isAuditRecord);
}

export function isAuditRecord(v: unknown): v is AuditRecord {
  const r = v as AuditRecord | null;
  return !!r && typeof r === "object" && typeof r.time === "string" && typeof r.decision === "string";
}

/**
 * One line for people: `12:00:01 block POST api.x.com/v1 403 — reason`.
 * Method, host, path and reason come from the agent's requests: inert.
 */
export function formatAuditRecord(r: AuditRecord): string {
  const t = inert(String(r.time).slice(11, 19));
  const where = `${r.host}${r.port === 443 || r.port === 80 ? "" : `:${r.port}`}${r.path ?? ""}`;
  const status = r.status === undefined ? "" : ` ${r.status}`;
  const notes = [r.reason, r.redacted?.length ? `redacted ${r.redacted.join(" ")}` : ""].filter(Boolean).join("; ");
  return `${t} ${inert(String(r.decision)).padEnd(5)} ${inert(String(r.method))} ${inert(where)}${status}${notes ? ` — ${inert(notes)}` : ""}`;
}
