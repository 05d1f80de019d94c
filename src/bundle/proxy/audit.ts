// The egress audit: one record per decision, appended by the proxy to the
// bottle's audit chain (../audit-chain/) and read on the host by `bot-bottle
// logs --egress` and `bot-bottle audit`.
import { existsSync, readFileSync } from "node:fs";
import { parseJsonLines } from "../../util/jsonl.ts";
import { inert } from "../../util/inert.ts";
import { isChainRecord } from "../audit-chain/record.ts";
import { openChain, releaseChain, type ChainWriter } from "../audit-chain/writer.ts";

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
  private chain: ChainWriter | undefined;

  constructor(readonly file: string) {
    this.chain = openChain(file);
  }

  /** Synchronous append: a line survives even if the bundle is killed right after. DLP refusals and redactions are their own kind. */
  write(rec: AuditRecord): void {
    const dlp = (rec.decision === "block" && !!rec.reason?.startsWith("DLP")) || !!rec.redacted?.length;
    this.chain?.append(dlp ? "dlp" : "egress", "proxy", rec as unknown as Record<string, unknown>);
  }

  /** Another kind of record from the proxy (ask-to-allow questions and answers). */
  record(kind: "ask", data: Record<string, unknown>): void {
    this.chain?.append(kind, "proxy", data);
  }

  async close(): Promise<void> {
    const c = this.chain;
    this.chain = undefined;
    if (c) await releaseChain(c);
  }
}

export function isAuditRecord(v: unknown): v is AuditRecord {
  const r = v as AuditRecord | null;
  return !!r && typeof r === "object" && typeof r.time === "string" && typeof r.decision === "string";
}

/** The egress records in JSON-lines text: chain records of kind egress/dlp, and a pre-chain log's plain lines. */
export function parseAuditText(text: string): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const v of parseJsonLines(text, (x): x is unknown => true)) {
    if (isChainRecord(v)) {
      if ((v.kind === "egress" || v.kind === "dlp") && isAuditRecord(v.data)) out.push(v.data);
    } else if (isAuditRecord(v)) out.push(v);
  }
  return out;
}

/** Every egress record of a chain file (missing file: none). */
export function readAudit(file: string): AuditRecord[] {
  return existsSync(file) ? parseAuditText(readFileSync(file, "utf8")) : [];
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
