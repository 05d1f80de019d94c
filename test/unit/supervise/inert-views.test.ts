// Every operator view of bottle text, fed the sequences an agent would use to
// repaint or reorder the operator's terminal: none may reach it raw; --json
// shapes keep the raw string.
import { describe, expect, test } from "bun:test";
import { renderDashboard } from "../../../src/supervise/dashboard-view.ts";
import { itemJson, type InboxItem } from "../../../src/supervise/inbox.ts";
import { answeredMessage, approvalBox, inboxLines } from "../../../src/supervise/text.ts";
import { formatAuditRecord } from "../../../src/bundle/proxy/audit.ts";
import { formatGitLogEntry } from "../../../src/bundle/git-gate/log.ts";
import { transcriptForTerminal } from "../../../src/cli/logs.ts";

const HOSTILE: [string, string][] = [
  ["ESC", "run the unit tests\x1b"],
  ["CSI erase line + cursor up", "\x1b[2K\x1b[1Arun the unit tests"],
  ["OSC 8 hyperlink", "\x1b]8;;https://evil.example/\x07run the unit tests\x1b]8;;\x07"],
  ["OSC title (ST)", "\x1b]0;pwned\x1b\\"],
  ["CR overwrite", "rm -rf ~\rrun the unit tests"],
  ["BEL", "ding\x07"],
  ["C1 CSI", "\x9b2Jrun"],
  ["bidi override", "run \u202etset tinu\u202c the tests"],
  ["bidi isolate", "\u2066rm -rf /\u2069"],
  ["DEL and backspace", "rm\x7f\x08\x08ls"],
];

/** Anything a terminal would interpret: C0 (but LF/TAB where allowed), DEL, C1, bidi controls. */
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const allowStyling = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, ""); // the dashboard's own SGR colours

const item = (text: string, kind: "approval" | "notify" = "approval"): InboxItem => ({
  identity: `dev-${text}`,
  dir: "/x",
  request: { id: "abc123", kind, action: text, reason: text, at: "2026-05-01T11:59:30.000Z", expiresAt: "2026-05-01T12:01:00.000Z" },
  answer: { id: "abc123", decision: "deny", note: text, at: "2026-05-01T11:59:40.000Z", by: "operator" },
});

describe.each(HOSTILE)("%s", (_name, text) => {
  test("supervise table", () => {
    for (const l of inboxLines([item(text)], new Date("2026-05-01T12:00:00Z"))) expect(l).not.toMatch(RAW_CONTROL);
  });
  test("interactive box and approve/deny messages", () => {
    expect(approvalBox(item(text)).replace(/\n/g, "")).not.toMatch(RAW_CONTROL);
    expect(answeredMessage("approve", item(text))).not.toMatch(RAW_CONTROL);
    expect(answeredMessage("deny", item(text), false)).not.toMatch(RAW_CONTROL);
  });
  test("dashboard", () => {
    const lines = renderDashboard(
      {
        bottles: [{ identity: `dev-${text}`, bottle: "dev", backend: "docker", status: "running", started_at: "2026-05-01T11:00:00.000Z" }],
        pending: [{ ...item(text), answer: null }],
        notes: [item(text, "notify")],
        selected: 0,
        message: `denied ${text}`,
        now: new Date("2026-05-01T12:00:00Z"),
      },
      200,
      50,
    );
    for (const l of lines) expect(allowStyling(l)).not.toMatch(RAW_CONTROL);
  });
  test("audit log lines", () => {
    const line = formatAuditRecord({ time: "2026-05-01T12:00:00.000Z", client: "c", method: `GET${text}`, host: `h${text}`, port: 443, path: `/${text}`, decision: "block", reason: text, redacted: [text] });
    expect(line).not.toMatch(RAW_CONTROL);
  });
  test("git log lines", () => {
    const lines = formatGitLogEntry({
      at: "2026-05-01T12:00:00.000Z",
      repo: `origin${text}`,
      result: "refused",
      updates: [{ kind: "update", ref: `refs/heads/${text}`, old: "a".repeat(40), new: "b".repeat(40), reason: text } as never],
      error: text,
    } as never);
    for (const l of lines) expect(l).not.toMatch(RAW_CONTROL);
  });
  test("transcript (lines and tabs kept)", () => {
    const out = transcriptForTerminal(Buffer.from(`header\t${text}\nnext`));
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).toContain("\n");
  });
  test("--json keeps the raw string", () => {
    expect(itemJson(item(text)).action).toBe(text);
  });
});
