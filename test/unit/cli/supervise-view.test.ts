import { describe, expect, test } from "bun:test";
import { describeItem } from "../../../src/cli/supervise.ts";
import type { InboxItem } from "../../../src/supervise/inbox.ts";

const item = (over: Partial<InboxItem["request"]>): InboxItem => ({
  identity: "box-abc123",
  dir: "/x",
  answer: null,
  request: { id: "abc123abc123", kind: "approval", action: "a", reason: "", at: "2026-03-02T10:14:07.000Z", ...over },
});

describe("supervise view", () => {
  test("an egress question: bottle X wants HOST (METHOD PATH, first seen, count), the agent's parts inert", () => {
    const lines = describeItem(
      item({
        kind: "egress",
        expiresAt: "2026-03-02T10:16:07.000Z",
        egress: { host: "docs.example.org", port: 443, method: "GET", path: "/r\x1b[2J\u202e", entry: "docs.example.org", count: 2, firstSeen: "2026-03-02T10:14:07.000Z", lastSeen: "2026-03-02T10:14:09.000Z" },
      }),
    );
    expect(lines[0]).toBe("box-abc123 wants docs.example.org (GET /r\\e[2J\\u202e, first seen 2026-03-02 10:14:07, 2 request(s))");
    expect(lines.join("\n")).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/);
  });

  test("an approval's action and reason are inert", () => {
    const lines = describeItem(item({ action: "run tests\r\x1b[2Krm -rf ~", reason: "because\x07" }));
    expect(lines).toEqual(["box-abc123 wants: run tests\\r\\e[2Krm -rf ~", "    because: because\\x07"]);
  });
});
