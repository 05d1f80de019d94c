import { describe, expect, test } from "bun:test";
import { clampSelection, keyAction, renderDashboard, type DashboardState } from "../../../src/supervise/dashboard-view.ts";
import type { InboxItem } from "../../../src/supervise/inbox.ts";

const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
const NOW = new Date("2026-05-01T12:00:00Z");
const ask = (id: string, identity: string, action: string, kind: "approval" | "notify" = "approval"): InboxItem => ({
  identity,
  dir: "/x",
  request: { id, kind, action, reason: kind === "approval" ? "because" : "", at: "2026-05-01T11:59:30.000Z", expiresAt: "2026-05-01T12:01:00.000Z" },
  answer: null,
});

const state = (over: Partial<DashboardState> = {}): DashboardState => ({
  bottles: [
    { identity: "dev-aaa111", bottle: "dev", backend: "docker", status: "running", started_at: "2026-05-01T11:00:00.000Z" },
    { identity: "rev-bbb222", bottle: "rev", backend: "smolmachines", status: "stopped", started_at: "2026-04-30T12:00:00.000Z" },
  ],
  pending: [ask("111111aaaaaa", "dev-aaa111", "git push"), ask("222222bbbbbb", "dev-aaa111", "npm publish")],
  notes: [ask("333333cccccc", "rev-bbb222", "done reviewing", "notify")],
  selected: 1,
  message: "",
  now: NOW,
  ...over,
});

describe("keyAction", () => {
  test.each([
    ["q", { type: "quit" }],
    ["\u0003", { type: "quit" }],
    ["j", { type: "move", delta: 1 }],
    ["\u001b[A", { type: "move", delta: -1 }],
    ["a", { type: "answer", decision: "approve", withNote: false }],
    ["D", { type: "answer", decision: "deny", withNote: true }],
    ["r", { type: "refresh" }],
    ["x", null],
  ] as const)("%j", (key, want) => expect(keyAction(key)).toEqual(want as never));
});

test.each([
  [0, 0, 0],
  [5, 3, 2],
  [-1, 3, 0],
  [1, 3, 1],
])("clampSelection(%d, %d) → %d", (sel, n, want) => expect(clampSelection(sel, n)).toBe(want));

describe("renderDashboard", () => {
  test("bottles with status and pending counts, approvals with the selection, notifications, keys", () => {
    const lines = renderDashboard(state(), 100, 40).map(strip);
    expect(lines[0]).toBe("bot-bottle  2 bottle(s), 2 pending approval(s)");
    expect(lines).toContain("dev-aaa111  running   docker        1h ago   2");
    expect(lines).toContain("rev-bbb222  stopped   smolmachines  1d ago   -");
    expect(lines).toContain("  111111aaaaaa  dev-aaa111  60s left");
    expect(lines).toContain("> 222222bbbbbb  dev-aaa111  60s left");
    expect(lines).toContain("    wants: npm publish");
    expect(lines).toContain("  30s ago  rev-bbb222: done reviewing");
    expect(lines.at(-1)).toContain("a approve · p approve always · d deny");
  });

  test("empty state says what to do", () => {
    const lines = renderDashboard(state({ bottles: [], pending: [], notes: [] }), 80, 24).map(strip);
    expect(lines).toContain("no bottles: start one with `bot-bottle launch`");
    expect(lines).toContain("nothing to answer");
  });

  test("a small terminal keeps the message and keys; long text is cut to the width", () => {
    const long = ask("444444dddddd", "dev-aaa111", "x".repeat(300));
    const lines = renderDashboard(state({ pending: [long], selected: 0, message: "approved 1" }), 60, 8).map(strip);
    expect(lines.length).toBe(8);
    expect(lines.at(-2)).toBe("approved 1");
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60);
  });
});

describe("ask-to-allow in the dashboard", () => {
  const now = new Date("2026-01-01T12:00:00Z");
  const egressItem = {
    identity: "box-abc123",
    dir: "/x",
    answer: null,
    request: {
      id: "eee111",
      kind: "egress" as const,
      action: "GET example.org/x",
      reason: "example.org is not in the allowlist",
      at: "2026-01-01T11:59:50Z",
      expiresAt: "2026-01-01T12:01:50Z",
      egress: { host: "example.org", port: 443, method: "GET", path: "/\x1b[2Jx", entry: "example.org", count: 3, firstSeen: "2026-01-01T11:59:50Z", lastSeen: "2026-01-01T11:59:55Z" },
    },
  };

  test("shows host, method, path, first seen and count, with the agent's text inert; egress keys", () => {
    const lines = renderDashboard({ bottles: [], pending: [egressItem], notes: [], selected: 0, message: "", now }, 120, 30);
    const body = lines.join("\n");
    expect(body).toContain("wants example.org (GET /\\e[2Jx, first seen 10s ago, 3 request(s))");
    expect(body).not.toContain("\x1b[2J");
    expect(lines.at(-1)).toContain("o allow once");
    expect(keyAction("a", "egress")).toEqual({ type: "answer", decision: "allow", withNote: false });
    expect(keyAction("o", "egress")).toEqual({ type: "answer", decision: "allow-once", withNote: false });
    expect(keyAction("X", "egress")).toEqual({ type: "answer", decision: "deny-always", withNote: true });
    expect(keyAction("p")).toEqual({ type: "answer", decision: "approve-always", withNote: false });
    expect(keyAction("a")).toEqual({ type: "answer", decision: "approve", withNote: false });
  });
});
