// Responses on their way back to the agent: real credentials swapped for
// placeholders. Streamed bodies go through StreamScrub in exchange.ts; a
// compressed reply from a route's upstream (which was asked for identity) is
// read whole (bounded), decoded, scrubbed and sent with its new length.
import type { AuditRecord } from "./audit.ts";
import { upstreamFailed, type Refusal } from "./deny.ts";
import { decodeContentEncoding } from "./dlp/decode.ts";
import { MAX_INFLATED } from "./dlp/scan.ts";
import { scrubText, type Scrubber } from "./dlp/scrub.ts";
import { PIECE, readWholeBody } from "./body-io.ts";
import type { ClientConn, ExchangeContext, Outcome, UpstreamConn, UpstreamSlot } from "./exchange.ts";
import { serializeResponseHead, withoutHeaders, type BodyFraming, type Header } from "./http-head.ts";
import { writeAll } from "./reader.ts";
import type { ForwardPlan } from "./request-policy.ts";

/** Audit fields for credentials found in a response. */
export function scrubNote(found: Set<string>): Partial<AuditRecord> {
  return found.size ? { scrubbed: [...found], reason: `real credential ${[...found].join(", ")} in the response replaced by its placeholder` } : {};
}

/** A refusal with real credentials swapped out of its reason and body (they may quote upstream bytes). */
export function scrubRefusal(scrubber: Scrubber | undefined, r: Refusal): Refusal {
  if (!scrubber) return r;
  return { ...r, reason: scrubText(scrubber, r.reason), body: scrubText(scrubber, r.body) };
}

export async function sendDecodedResponse(
  ctx: ExchangeContext,
  scrubber: Scrubber,
  conn: ClientConn,
  up: UpstreamConn,
  slot: UpstreamSlot,
  plan: ForwardPlan,
  status: number,
  reason: string,
  headers: Header[],
  framing: BodyFraming,
  encodings: string[],
  found: Set<string>,
  upstreamKeeps: boolean,
  record: (extra: Partial<AuditRecord> & Pick<AuditRecord, "decision">) => void,
  refuse: (decision: AuditRecord["decision"], r: Refusal) => Promise<Outcome>,
  bytesOut: number,
): Promise<Outcome> {
  let raw: Buffer | "too-large" | "busy";
  try {
    raw = await readWholeBody(up.reader, framing, ctx.policy.maxScannedBody);
  } catch (e) {
    slot.close();
    return refuse("error", upstreamFailed(plan.target.host, (e as Error).message));
  }
  if (!upstreamKeeps) slot.close();
  let decoded: Buffer | undefined;
  try {
    decoded = typeof raw === "string" ? undefined : decodeContentEncoding(raw, encodings, MAX_INFLATED);
  } catch {
    decoded = undefined;
  }
  if (!decoded) {
    slot.close();
    return refuse("error", upstreamFailed(plan.target.host, `a compressed (${encodings.join(", ")}) response too large or malformed to scrub of credentials`));
  }
  const body = Buffer.from(scrubText(scrubber, decoded.toString("latin1"), found), "latin1");
  const out = withoutHeaders(headers, ["content-encoding", "content-length"]);
  out.push(["Content-Length", String(body.length)], ["Connection", plan.clientClose ? "close" : "keep-alive"]);
  await writeAll(conn.sock, serializeResponseHead(status, reason || "-", out));
  for (let o = 0; o < body.length; o += PIECE) await writeAll(conn.sock, body.subarray(o, o + PIECE));
  record({ decision: "allow", status, bytesOut, bytesIn: body.length, ...scrubNote(found) });
  return plan.clientClose ? "close" : "keep-alive";
}

