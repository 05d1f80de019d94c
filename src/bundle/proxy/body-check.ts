// The request body of one exchange through DLP: decoded from its
// Content-Encoding (bounded), then redacted (credential routes, dlp = "redact")
// or refused. Pure apart from the decompression it bounds.
import { decodeContentEncoding } from "./dlp/decode.ts";
import { redactBody } from "./dlp/redact.ts";
import { MAX_INFLATED, scanBody, TooLargeToScan, type Finding } from "./dlp/scan.ts";
import { Pieces } from "./dlp/pieces.ts";
import { dlpBlocked, unscannable, type Refusal } from "./deny.ts";
import type { ForwardPlan } from "./request-policy.ts";

/**
 * The request body checked by DLP: decoded from its Content-Encoding (bounded),
 * then redacted (marker per finding) or refused, as the route says. The body
 * stays in the pieces it arrived in unless decoding or redaction needs it whole;
 * what to forward comes back as pieces.
 */
export function checkBody(
  pieces: readonly Buffer[],
  plan: ForwardPlan,
): { body: readonly Buffer[]; findings: Finding[]; decoded: boolean } | { refusal: Refusal } {
  try {
    // A plain body in block mode is scanned in place; everything else needs it joined.
    if (!plan.bodyEncodings.length && plan.dlpMode !== "redact") {
      const f = scanBody(new Pieces(pieces), "the request body", plan.bodyPolicy);
      return f ? { refusal: dlpBlocked(plan.host, f.message) } : { body: pieces, findings: [], decoded: false };
    }
    const got = new Pieces(pieces).join();
    let content = got;
    if (plan.bodyEncodings.length) {
      const d = decodeContentEncoding(got, plan.bodyEncodings, MAX_INFLATED);
      if (!d) return { refusal: unscannable(plan.host, `the request body does not decode as its Content-Encoding (${plan.bodyEncodings.join(", ")}) says`) };
      content = d;
    }
    if (plan.dlpMode === "redact") {
      const r = redactBody(content, "the request body", plan.bodyPolicy);
      if ("unredactable" in r) return { refusal: dlpBlocked(plan.host, `${r.unredactable.message}, inside a compressed payload that cannot be redacted in place`) };
      return r.findings.length ? { body: [r.body], findings: r.findings, decoded: content !== got } : { body: [got], findings: [], decoded: false };
    }
    const f = scanBody(content, "the request body", plan.bodyPolicy);
    return f ? { refusal: dlpBlocked(plan.host, f.message) } : { body: [got], findings: [], decoded: false };
  } catch (e) {
    if (e instanceof TooLargeToScan) return { refusal: unscannable(plan.host, `the request body holds ${e.message}`) };
    throw e;
  }
}

