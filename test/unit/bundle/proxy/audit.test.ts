import { expect, test } from "bun:test";
import { appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditLog, formatAuditRecord, readAudit, type AuditRecord } from "../../../../src/bundle/proxy/audit.ts";
import { tempDirs } from "../../../helpers/tmp.ts";

const tempDir = tempDirs("bb-proxy-unit-");

const rec = (over: Partial<AuditRecord>): AuditRecord => ({
  time: "2026-01-02T03:04:05.000Z",
  client: "10.0.0.3:5555",
  method: "GET",
  host: "api.test",
  port: 443,
  decision: "allow",
  ...over,
});

test("records written by AuditLog are read back; torn and foreign lines are skipped", () => {
  const file = join(tempDir(), "sub", "audit.jsonl");
  const log = new AuditLog(file);
  log.write(rec({ path: "/a", status: 200 }));
  log.write(rec({ decision: "deny", reason: "x is not in the allowlist", status: 403 }));
  log.close();
  appendFileSync(file, '{"time":"2026-01-02T03:04:06.000Z","decision":"al\n\n[1,2]\n');
  const got = readAudit(file);
  expect(got.map((r) => r.decision)).toEqual(["allow", "deny"]);
  expect(got[0]!.path).toBe("/a");
});

test("a missing audit file reads as empty", () => {
  expect(readAudit(join(tmpdir(), "does-not-exist-bb.jsonl"))).toEqual([]);
});

test.each([
  [rec({ path: "/v1", status: 200 }), "03:04:05 allow GET api.test/v1 200"],
  [rec({ port: 8443, decision: "deny", method: "CONNECT", status: 403, reason: "port 8443 is not allowed" }), "03:04:05 deny  CONNECT api.test:8443 403 — port 8443 is not allowed"],
])("formatAuditRecord %#", (r, want) => {
  expect(formatAuditRecord(r)).toBe(want);
});
