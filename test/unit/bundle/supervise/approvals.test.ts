import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { askApproval, notify } from "../../../../src/bundle/supervise/approvals.ts";
import { listRequests, readAnswer, writeAnswer } from "../../../../src/bundle/supervise/protocol.ts";

const root = mkdtempSync(join(tmpdir(), "bb-ask-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function answerWhenAsked(dir: string, decision: "approve" | "deny", note: string) {
  for (let i = 0; i < 200; i++) {
    const req = listRequests(dir).find((r) => r.kind === "approval");
    if (req) return writeAnswer(dir, { id: req.id, decision, note, at: new Date().toISOString(), by: "operator" });
    await Bun.sleep(10);
  }
  throw new Error("no request appeared");
}

test("an operator's answer ends the wait", async () => {
  const dir = join(root, "a");
  const [res] = await Promise.all([askApproval(dir, "do x", "because", { timeoutSeconds: 10, pollMs: 10 }), answerWhenAsked(dir, "deny", "nope")]);
  expect(res.answer.decision).toBe("deny");
  expect(res.answer.by).toBe("operator");
  expect(res.text).toContain("nope");
  expect(res.request.expiresAt! > res.request.at).toBe(true);
});

test("no answer: the daemon records a timeout itself", async () => {
  const dir = join(root, "b");
  const res = await askApproval(dir, "do y", "", { timeoutSeconds: 0.1, pollMs: 10 });
  expect(res.answer.decision).toBe("timeout");
  expect(readAnswer(dir, res.request.id)?.by).toBe("daemon");
});

test("an abort (client gone, daemon closing) cancels, and heartbeats run while waiting", async () => {
  const dir = join(root, "c");
  const ctl = new AbortController();
  let beats = 0;
  setTimeout(() => ctl.abort(), 120);
  const res = await askApproval(dir, "do z", "", { timeoutSeconds: 10, pollMs: 10, signal: ctl.signal, heartbeatMs: 20, onHeartbeat: () => beats++ });
  expect(res.answer.decision).toBe("cancelled");
  expect(beats).toBeGreaterThanOrEqual(2);
});

test("notify writes a notification request", () => {
  const dir = join(root, "d");
  const r = notify(dir, "done", new Date("2026-01-01T00:00:00Z"));
  expect(listRequests(dir)).toEqual([{ id: r.id, kind: "notify", action: "done", reason: "", at: "2026-01-01T00:00:00.000Z" }]);
});
