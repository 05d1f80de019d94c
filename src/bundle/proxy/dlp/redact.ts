// Pure: redaction for requests to credential routes (dlp = "redact"): every
// finding of scan.ts replaced in place by its marker, so a session whose
// history holds a secret keeps working and the secret never leaves.
import { findAll, inflatePayload, scanBody, type Finding, type ScanPolicy } from "./scan.ts";

/** text with every finding replaced by its marker. */
export function redactText(text: string, where: string, policy: ScanPolicy): { text: string; findings: Finding[] } {
  const hits = findAll(text, where, policy);
  if (!hits.length) return { text, findings: [] };
  let out = "";
  let at = 0;
  for (const h of hits) {
    out += text.slice(at, h.start) + h.finding.marker;
    at = h.end;
  }
  return { text: out + text.slice(at), findings: hits.map((h) => h.finding) };
}

/**
 * A request body with every finding replaced by its marker (latin1 in and
 * out, so bytes around the markers are untouched). A body that is itself a
 * compressed payload cannot be redacted in place: "unredactable" (the caller
 * blocks it) when its decompressed content has a finding.
 */
export function redactBody(body: Buffer, where: string, policy: ScanPolicy): { body: Buffer; findings: Finding[] } | { unredactable: Finding } {
  const inflated = inflatePayload(body);
  if (inflated) {
    const f = scanBody(inflated.data, `${where} (${inflated.how}-compressed)`, policy, 1);
    if (f) return { unredactable: f };
  }
  const r = redactText(body.toString("latin1"), where, policy);
  return { body: r.findings.length ? Buffer.from(r.text, "latin1") : body, findings: r.findings };
}
