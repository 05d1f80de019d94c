import { describe, expect, test } from "bun:test";
import { formatChainRecord } from "../../../src/cli/audit.ts";
import { parseSince } from "../../../src/util/since.ts";
import type { ChainRecord } from "../../../src/bundle/audit-chain/record.ts";

const rec = (kind: ChainRecord["kind"], data: Record<string, unknown>, source: ChainRecord["source"] = "proxy"): ChainRecord => ({
  seq: 7,
  time: "2026-03-02T10:14:07.000Z",
  kind,
  source,
  data,
  prev: "0".repeat(64),
});

describe("audit view", () => {
  test("--since: durations back from now, ISO times, a clear error otherwise", () => {
    const now = new Date("2026-03-02T12:00:00Z");
    expect(parseSince("15m", now).toISOString()).toBe("2026-03-02T11:45:00.000Z");
    expect(parseSince("2h", now).toISOString()).toBe("2026-03-02T10:00:00.000Z");
    expect(parseSince("2026-03-01T00:00:00Z", now).toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(() => parseSince("yesterday", now)).toThrow(/neither a duration nor a time/);
  });

  test("one line per record; agent-chosen text is inert", () => {
    expect(formatChainRecord(rec("egress", { decision: "allow", method: "GET", host: "a.test", port: 443, path: "/x", status: 200 }))).toBe(
      "    7 2026-03-02 10:14:07 egress     proxy     allow GET a.test/x 200",
    );
    const evil = formatChainRecord(rec("approval", { event: "asked", action: "run tests\r\x1b[2K\x1b]0;pwned\x07rm -rf ~", reason: "x" }, "supervise"));
    expect(evil).not.toMatch(/[\x00-\x1f\x7f]/);
    expect(evil).toContain("run tests\\r\\e[2K\\e]0;pwned\\x07rm -rf ~");
    const ask = formatChainRecord(rec("ask", { event: "answered", id: "abc", host: "h.test", decision: "deny", by: "operator", note: "no\u202e" }));
    expect(ask).toContain("answered abc");
    expect(ask).toContain("→ deny (operator)");
    expect(ask).toContain("note: no\\u202e");
    expect(formatChainRecord(rec("checkpoint", { upTo: 6, keyId: "k1" }, "bundle"))).toContain("signed up to #6 (key k1)");
  });
});
