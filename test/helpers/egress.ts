// What the proxy refused, from a bottle's audit log (`bot-bottle logs ID --egress --json`):
// the real-agent e2e tests count what an agent tries to reach besides its model API.
import type { AuditRecord } from "../../src/bundle/proxy/audit.ts";

/** Refused egress (denied host or blocked request) as readable lines. */
export function refusedEgress(recs: AuditRecord[]): string[] {
  return recs.filter((r) => r.decision === "deny" || r.decision === "block").map((r) => `${r.method} ${r.host}:${r.port}${r.path ?? ""} (${r.decision}: ${r.reason ?? ""})`);
}
