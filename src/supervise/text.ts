// Pure: the operator's text views of supervise requests (the `supervise`
// table, the interactive box, the answer messages). Everything an agent
// wrote (action, reason, notify text, its notes) and the bottle identity go
// through inert(): a request cannot repaint the terminal or reorder what the
// operator approves. `--json` output does not come through here: it stays raw.
import { inert } from "../util/inert.ts";
import { itemJson, type InboxItem } from "./inbox.ts";

/** The `supervise` table: one block of lines per request. */
export function inboxLines(items: InboxItem[], now: Date = new Date()): string[] {
  const out: string[] = [];
  for (const it of items) {
    const j = itemJson(it, now);
    out.push(`${inert(j.id)}  ${j.status.padEnd(9)} ${inert(j.identity)}  ${inert(j.at.replace("T", " ").slice(0, 19))}`);
    out.push(`    ${j.kind === "notify" ? "says" : "wants"}: ${inert(j.action)}`);
    if (j.reason) out.push(`    because: ${inert(j.reason)}`);
    if (j.note) out.push(`    note: ${inert(j.note)}`);
  }
  return out;
}

/** The box shown before the operator answers one request. */
export function approvalBox(it: InboxItem): string {
  const r = it.request;
  return `${inert(it.identity)} asks (request ${inert(r.id)}):\n\n${inert(r.action)}${r.reason ? `\n\nbecause: ${inert(r.reason)}` : ""}`;
}

/** "approved REQ (identity): action" after an answer. */
export function answeredMessage(decision: "approve" | "deny", it: InboxItem, withAction = true): string {
  const verb = decision === "approve" ? "approved" : "denied";
  return `${verb} ${inert(it.request.id)} (${inert(it.identity)})${withAction ? `: ${inert(it.request.action)}` : ""}`;
}
