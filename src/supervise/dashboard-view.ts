// What the dashboard shows and how keys map to actions. Pure (state in,
// text out), so layout and keys are table-tested; src/cli/dashboard.ts owns
// the terminal.
import type { InboxItem } from "./inbox.ts";
import { inert } from "../util/inert.ts";

export type DashboardDecision = "approve" | "approve-always" | "deny" | "allow-once" | "allow" | "allow-save" | "deny-always";

export interface BottleLine {
  identity: string;
  bottle: string;
  backend: string;
  status: string;
  started_at: string;
}

export interface DashboardState {
  bottles: BottleLine[];
  /** Pending approvals, oldest first. */
  pending: InboxItem[];
  /** Latest notifications, newest first. */
  notes: InboxItem[];
  selected: number;
  message: string;
  now: Date;
}

export type KeyAction =
  | { type: "quit" }
  | { type: "move"; delta: number }
  | { type: "answer"; decision: DashboardDecision; withNote: boolean }
  | { type: "refresh" };

/**
 * Keys mean the same on both kinds where they can: a = yes (approve / allow
 * for this bottle), d = no; o = allow once, s = allow and save to the
 * manifest, x = deny always, p = approve always.
 */
export function keyAction(key: string, kind: "approval" | "egress" = "approval"): KeyAction | null {
  if (kind === "egress") {
    const egress: Record<string, DashboardDecision> = { a: "allow", o: "allow-once", s: "allow-save", d: "deny", x: "deny-always" };
    const upper: Record<string, DashboardDecision> = { A: "allow", O: "allow-once", S: "allow-save", D: "deny", X: "deny-always" };
    if (egress[key]) return { type: "answer", decision: egress[key]!, withNote: false };
    if (upper[key]) return { type: "answer", decision: upper[key]!, withNote: true };
  } else if (key === "p" || key === "P") return { type: "answer", decision: "approve-always", withNote: key === "P" };
  switch (key) {
    case "q":
    case "\u0003": // Ctrl-C
    case "\u001b": // Esc
      return { type: "quit" };
    case "j":
    case "\u001b[B":
      return { type: "move", delta: 1 };
    case "k":
    case "\u001b[A":
      return { type: "move", delta: -1 };
    case "a":
      return { type: "answer", decision: "approve", withNote: false };
    case "d":
      return { type: "answer", decision: "deny", withNote: false };
    case "A":
      return { type: "answer", decision: "approve", withNote: true };
    case "D":
      return { type: "answer", decision: "deny", withNote: true };
    case "r":
      return { type: "refresh" };
    default:
      return null;
  }
}

export function clampSelection(selected: number, count: number): number {
  return count === 0 ? 0 : Math.min(Math.max(selected, 0), count - 1);
}

const BOLD = "\x1b[1m";
const DIM = "\x1b[2m";
const INVERSE = "\x1b[7m";
const RESET = "\x1b[0m";
const STATUS_COLOUR: Record<string, string> = { running: "\x1b[32m", creating: "\x1b[33m", failed: "\x1b[31m" };

/** One line of at most `width` characters; bottle text in it was made inert by the caller. */
function fit(s: string, width: number): string {
  const flat = s.replace(/[\r\n\t]+/g, " ");
  return flat.length <= width ? flat : flat.slice(0, Math.max(0, width - 1)) + "…";
}

function ago(iso: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** The whole screen as lines, at most `rows` of them, none wider than `cols` (ANSI codes aside). */
export function renderDashboard(st: DashboardState, cols: number, rows: number): string[] {
  const w = Math.max(40, cols);
  const out: string[] = [];
  const pendingBy = new Map<string, number>();
  for (const p of st.pending) pendingBy.set(p.identity, (pendingBy.get(p.identity) ?? 0) + 1);

  out.push(`${BOLD}bot-bottle${RESET}  ${st.bottles.length} bottle(s), ${st.pending.length} pending approval(s)`);
  out.push("");
  if (st.bottles.length === 0) out.push(`${DIM}no bottles: start one with \`bot-bottle launch\`${RESET}`);
  else {
    const idW = Math.max(8, ...st.bottles.map((b) => inert(b.identity).length));
    out.push(`${DIM}${"IDENTITY".padEnd(idW)}  ${"STATUS".padEnd(9)} ${"BACKEND".padEnd(13)} ${"STARTED".padEnd(8)} ASKS${RESET}`);
    for (const b of st.bottles) {
      const colour = STATUS_COLOUR[b.status] ?? "";
      const asks = pendingBy.get(b.identity) ?? 0;
      const status = `${colour}${b.status.padEnd(9)}${colour ? RESET : ""}`;
      out.push(`${inert(b.identity).padEnd(idW)}  ${status} ${b.backend.padEnd(13)} ${ago(b.started_at, st.now).padEnd(8)} ${asks ? `${BOLD}${asks}${RESET}` : "-"}`);
    }
  }
  out.push("");
  out.push(`${BOLD}Approvals${RESET}`);
  if (st.pending.length === 0) out.push(`${DIM}nothing to answer${RESET}`);
  st.pending.forEach((p, i) => {
    const left = p.request.expiresAt ? Math.round((Date.parse(p.request.expiresAt) - st.now.getTime()) / 1000) : NaN;
    const head = `${i === st.selected ? ">" : " "} ${inert(p.request.id)}  ${inert(p.identity)}  ${Number.isFinite(left) ? `${Math.max(0, left)}s left` : ""}`;
    out.push(i === st.selected ? `${INVERSE}${fit(head, w)}${RESET}` : fit(head, w));
    const e = p.request.egress;
    if (p.request.kind === "egress" && e) {
      // Agent-chosen strings (host, path, method) are inert on the operator's screen.
      out.push(fit(`    wants ${inert(e.entry)} (${inert(e.method)} ${inert(e.path || "/")}, first seen ${ago(e.firstSeen, st.now)}, ${e.count} request(s))`, w));
    } else {
      out.push(fit(`    wants: ${inert(p.request.action)}`, w));
      if (p.request.reason) out.push(fit(`    because: ${inert(p.request.reason)}`, w));
    }
  });
  if (st.notes.length) {
    out.push("");
    out.push(`${BOLD}Notifications${RESET}`);
    for (const n of st.notes) out.push(fit(`  ${ago(n.request.at, st.now).padEnd(8)} ${inert(n.identity)}: ${inert(n.request.action)}`, w));
  }
  const footer = [
    st.message ? fit(inert(st.message), w) : "",
    `${DIM}${fit(
      st.pending[st.selected]?.request.kind === "egress"
        ? "host: o allow once · a allow (live) · s allow + save to toml · d deny · x deny always · capital = with a note · q quit"
        : "j/k select · a approve · p approve always · d deny · A/P/D with a note · r refresh · q quit",
      w,
    )}${RESET}`,
  ];
  // Keep the footer on screen: cut the body, not the keys.
  const room = Math.max(1, rows - footer.length);
  return [...out.slice(0, room), ...footer];
}
