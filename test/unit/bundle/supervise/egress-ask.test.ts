import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EgressAsker } from "../../../../src/bundle/supervise/egress-ask.ts";
import { listRequests, readAnswer, writeAnswer } from "../../../../src/bundle/supervise/protocol.ts";
import { actionMatches, addStanding, findStanding } from "../../../../src/bundle/supervise/standing.ts";
import { askApproval } from "../../../../src/bundle/supervise/approvals.ts";

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), "bb-ask-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const q = (path: string) => ({ host: "example.org", port: 443, method: "GET", path, entry: "example.org" });

async function waitFor<T>(f: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = f();
    if (v !== undefined) return v;
    await Bun.sleep(10);
  }
  throw new Error("timed out");
}

describe("EgressAsker", () => {
  test("concurrent requests to one host share one question and its answer; the count goes up", async () => {
    const dir = fresh();
    const records: Record<string, unknown>[] = [];
    const asker = new EgressAsker({ dir, timeoutSeconds: 30, pollMs: 10, record: (d) => records.push(d) });
    const a = asker.ask(q("/a"));
    const b = asker.ask(q("/b"));
    const other = asker.ask({ ...q("/c"), host: "other.org", entry: "other.org" });
    const reqs = listRequests(dir);
    expect(reqs).toHaveLength(2);
    const mine = reqs.find((r) => r.egress?.host === "example.org")!;
    expect(mine.egress).toMatchObject({ count: 2, method: "GET", path: "/a", entry: "example.org" });
    writeAnswer(dir, { id: mine.id, decision: "allow", note: "ok", at: new Date().toISOString(), by: "operator" });
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra).toEqual(rb);
    expect(ra).toMatchObject({ allowed: true, decision: "allow", note: "ok" });
    expect(records.map((r) => r.event)).toContain("answered");
    const theirs = reqs.find((r) => r.egress?.host === "other.org")!;
    writeAnswer(dir, { id: theirs.id, decision: "deny-always", note: "", at: new Date().toISOString(), by: "operator" });
    expect((await other).allowed).toBe(false);
    // A new request after the answer asks again (allow-once semantics live in the proxy's policy).
    void asker.ask(q("/d"));
    expect(listRequests(dir)).toHaveLength(3);
  });

  test("no answer: the daemon answers timeout (denied); unattended: at once", async () => {
    const dir = fresh();
    const r = await new EgressAsker({ dir, timeoutSeconds: 0.05, pollMs: 10 }).ask(q("/late"));
    expect(r).toMatchObject({ allowed: false, decision: "timeout" });
    const u = await new EgressAsker({ dir, timeoutSeconds: 120, unattended: "deny", pollMs: 10 }).ask(q("/u"));
    expect(u).toMatchObject({ allowed: false, decision: "timeout" });
    expect(readAnswer(dir, u.id)?.by).toBe("daemon");
  });
});

describe("standing approvals", () => {
  test("glob patterns match the whole action", () => {
    expect(actionMatches("git push origin *", "git push origin main")).toBe(true);
    expect(actionMatches("git push origin *", "sudo git push origin main")).toBe(false);
    expect(actionMatches("npm test", "npm test && rm -rf /")).toBe(false);
    expect(actionMatches("a.b(c)", "a.b(c)")).toBe(true);
  });

  test("approve-always answers later matching requests at once, by the daemon, naming the rule", async () => {
    const dir = fresh();
    const first = askApproval(dir, "deploy staging", "", { timeoutSeconds: 30, pollMs: 10 });
    const req = await waitFor(() => listRequests(dir)[0]);
    writeAnswer(dir, { id: req.id, decision: "approve-always", note: "", pattern: "deploy *", at: new Date().toISOString(), by: "operator" });
    expect((await first).answer.decision).toBe("approve-always");
    expect(findStanding(dir, "deploy prod")?.pattern).toBe("deploy *");
    const second = await askApproval(dir, "deploy prod", "", { timeoutSeconds: 30, pollMs: 10 });
    expect(second.answer).toMatchObject({ decision: "approve", by: "daemon" });
    expect(second.text).toContain('standing rule "deploy *"');
    addStanding(dir, { pattern: "x", from: "id", at: "", note: "" });
    expect(findStanding(dir, "deploy prod")?.pattern).toBe("deploy *");
  });

  test("a configured timeout default of approve answers approve, by the daemon", async () => {
    const dir = fresh();
    const r = await askApproval(dir, "run it", "", { timeoutSeconds: 0.05, pollMs: 10, timeoutDecision: "approve" });
    expect(r.answer).toMatchObject({ decision: "approve", by: "daemon" });
    expect(r.answer.note).toContain("configured default");
  });
});

describe("EgressAsker bounds", () => {
  test("an agent trying host after host gets at most MAX_OPEN_QUESTIONS questions; the rest are refused at once", async () => {
    const { MAX_OPEN_QUESTIONS } = await import("../../../../src/bundle/supervise/egress-ask.ts");
    const dir = fresh();
    const asker = new EgressAsker({ dir, timeoutSeconds: 30, pollMs: 10 });
    for (let i = 0; i < MAX_OPEN_QUESTIONS; i++) void asker.ask({ ...q("/"), host: `h${i}.test`, entry: `h${i}.test` });
    const extra = await asker.ask({ ...q("/"), host: "one-more.test", entry: "one-more.test" });
    expect(extra).toMatchObject({ allowed: false, decision: "cancelled" });
    expect(listRequests(dir)).toHaveLength(MAX_OPEN_QUESTIONS);
    for (const r of listRequests(dir)) writeAnswer(dir, { id: r.id, decision: "deny", note: "", at: new Date().toISOString(), by: "operator" });
  });
});
